/**
 * The SET and REMOVE parts of an UpdateItem for a flat set of attributes: a defined value is set,
 * an undefined one removed (a newer version of an item may drop a field). Names and values are
 * placeholders, so any attribute name is safe. `pk` and `sk` are keys, never updated.
 */
export function setOrRemove(attributes: Record<string, unknown>) {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const sets: string[] = [];
  const removes: string[] = [];
  Object.entries(attributes).forEach(([name, value], i) => {
    if (name === 'pk' || name === 'sk') return;
    names[`#a${i}`] = name;
    if (value === undefined) removes.push(`#a${i}`);
    else {
      values[`:a${i}`] = value;
      sets.push(`#a${i} = :a${i}`);
    }
  });
  return { names, values, sets, removes };
}
