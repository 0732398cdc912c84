/** Nest injection tokens for the plain objects the web module is given. */
export const WEB_PARTS = Symbol('web parts');
