/** A short, safe description of anything thrown. */
export function errorMessage(error: unknown): string {
  let text: string;
  if (error instanceof Error) text = `${error.name}: ${error.message}`;
  else if (typeof error === 'string') text = error;
  else {
    try {
      text = String(error);
    } catch {
      text = 'unprintable error';
    }
  }
  return text.length > 1024 ? text.slice(0, 1024) + '…' : text;
}
