/** Injection tokens for values that are not classes. */
export const OPTIONS = Symbol('PKI_OPTIONS');
export const LOGGER = Symbol('LOGGER');
