/** The first three items of a list in a message, and how many more. */
export const firstFew = (items: readonly string[]): string => (items.length > 3 ? `${items.slice(0, 3).join(', ')}, … ${items.length - 3} more` : items.join(', '));
