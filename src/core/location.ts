/** Where something stands in the user's repository. Lines and columns are 1-based. */
export interface SourceLocation {
  /** Path relative to the repository root, with forward slashes. */
  file: string;
  line: number;
  column: number;
}
