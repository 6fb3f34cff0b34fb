/**
 * The renderer's only door to the contract: types, nothing else. Lint keeps every other renderer
 * module from importing src-main/, and this one from importing anything but types.
 */
export type * from '../../../../src-main/contract';
