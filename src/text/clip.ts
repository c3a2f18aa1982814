/** A message cut to `max` characters (an ellipsis marks the cut): errors and output kept in run state stay small. */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`;
}
