// Jupyter counts cursor positions in Unicode code points; JavaScript strings and the TypeScript
// services count UTF-16 units. These convert between the two.

export function codePointsToUtf16(text: string, codePoints: number): number {
  let offset = 0;
  for (let count = 0; count < codePoints && offset < text.length; count++) {
    offset += text.codePointAt(offset)! > 0xffff ? 2 : 1;
  }
  return offset;
}

export function utf16ToCodePoints(text: string, offset: number): number {
  let count = 0;
  for (let index = 0; index < offset && index < text.length; count++) {
    index += text.codePointAt(index)! > 0xffff ? 2 : 1;
  }
  return count;
}
