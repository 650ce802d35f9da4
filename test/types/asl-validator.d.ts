/** asl-validator 4 ships no type declarations; the part the tests use. */
declare module 'asl-validator' {
  interface ValidationOptions {
    readonly checkPaths?: boolean;
    readonly checkArn?: boolean;
  }
  interface ValidationResult {
    readonly isValid: boolean;
    readonly errors: unknown[];
    errorsText(separator?: string): string;
  }
  export default function aslValidator(definition: unknown, options?: ValidationOptions): ValidationResult;
}
