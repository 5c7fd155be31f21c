/**
 * A self-contained API reference page (no CDN: these clusters are often air-gapped). It fetches
 * /openapi.json and renders every operation with its parameters, body and responses.
 */
export const DOCS_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>flowmatrix API</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:0;color:#1d2330;background:#f6f7f9}
header{background:#1d2330;color:#fff;padding:14px 24px}header h1{margin:0;font-size:20px}
main{max-width:1100px;margin:0 auto;padding:16px 24px}
details{background:#fff;border:1px solid #d8dce3;border-radius:6px;margin:8px 0}
summary{cursor:pointer;padding:8px 12px;display:flex;gap:12px;align-items:center}
.m{font:bold 12px monospace;padding:2px 8px;border-radius:4px;color:#fff;min-width:44px;text-align:center}
.get{background:#2f6fdb}.post{background:#1f9d55}.put{background:#c27c0e}.delete{background:#c53030}
.p{font-family:monospace}.s{color:#5a6475}.scope{margin-left:auto;font-size:12px;color:#5a6475}
.body{padding:0 14px 12px}table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #eceef2;padding:4px 6px;text-align:left;vertical-align:top}
pre{background:#f0f2f5;padding:8px;border-radius:4px;overflow:auto;max-height:320px}h2{margin-top:24px}
</style></head><body><header><h1>flowmatrix API</h1><div id="desc"></div></header><main id="ops">Loading /openapi.json…</main>
<script>
const esc=(s)=>String(s).replace(/[&<>"']/g,(c)=>({'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;',"'":'&#39;'}[c]));
const schema=(s)=>'<pre>'+esc(JSON.stringify(s,null,2))+'</pre>';
// /docs and /docs/ (and either behind a path prefix) both find the document beside /docs.
const SPEC=location.pathname.endsWith('/')?'../openapi.json':'openapi.json';
fetch(SPEC).then((r)=>r.json()).then((doc)=>{
  document.getElementById('desc').textContent=doc.info.description+' (version '+doc.info.version+')';
  const byTag={};
  for(const [path,ops] of Object.entries(doc.paths))for(const [method,op] of Object.entries(ops))(byTag[op.tags[0]]??=[]).push({path,method,op});
  let html='';
  for(const tag of Object.keys(byTag).sort()){
    html+='<h2>'+esc(tag)+'</h2>';
    for(const {path,method,op} of byTag[tag]){
      const scope=(op.security&&op.security[0])?'scope: '+op.security[0].bearer.join(','):'public';
      html+='<details><summary><span class="m '+method+'">'+method.toUpperCase()+'</span><span class="p">'+esc(path)+'</span><span class="s">'+esc(op.summary)+'</span><span class="scope">'+scope+'</span></summary><div class="body">';
      if(op.description)html+='<p>'+esc(op.description)+'</p>';
      if(op.parameters){html+='<table><tr><th>parameter</th><th>in</th><th>required</th><th>schema</th><th>description</th></tr>';
        for(const p of op.parameters)html+='<tr><td class="p">'+esc(p.name)+'</td><td>'+p.in+'</td><td>'+(p.required?'yes':'')+'</td><td class="p">'+esc(JSON.stringify(p.schema))+'</td><td>'+esc(p.description??'')+'</td></tr>';
        html+='</table>';}
      if(op.requestBody){html+='<h4>Request body</h4>';for(const [ct,c] of Object.entries(op.requestBody.content))html+='<div class="p">'+esc(ct)+'</div>'+schema(c.schema);}
      html+='<h4>Responses</h4><table>';
      for(const [st,r] of Object.entries(op.responses))html+='<tr><td class="p">'+st+'</td><td>'+esc(r.description)+'<div class="p s">'+esc(Object.keys(r.content??{}).join(', '))+'</div></td></tr>';
      html+='</table></div></details>';
    }
  }
  document.getElementById('ops').innerHTML=html;
}).catch((e)=>{document.getElementById('ops').textContent='cannot load openapi.json: '+e});
</script></body></html>
`;
