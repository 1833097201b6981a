import { h } from 'preact';
import htm from 'htm';

/** Tagged-template markup for Preact components (no JSX, no build plugin). */
export const html = htm.bind(h);
