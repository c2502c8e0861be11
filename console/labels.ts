/** The console reads the one vocabulary of domain/labels.ts. */
export * from '../domain/labels';
