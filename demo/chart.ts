/**
 * A small live rate chart in plain SVG: one sample a second, the last minute of them drawn as a line
 * scaled to a round maximum (1, 2 or 5 × 10ⁿ), the newest at the right edge, and the latest value
 * written beside the caption.
 */

export interface RateChart {
  /** Adds the rate of the second that just ended and redraws. */
  add(rate: number): void;
  /** The samples drawn, oldest first (at most `seconds`). */
  readonly samples: readonly number[];
}

const SVG = "http://www.w3.org/2000/svg";
/** The chart's viewBox, which is also its size on the page (no scaling, so the label stays crisp). */
const WIDTH = 240;
const HEIGHT = 48;
/** Room above the line for the maximum's label. */
const TOP = 12;

export function createRateChart(svg: SVGSVGElement, readout: HTMLElement, seconds = 60): RateChart {
  const label = document.createElementNS(SVG, "text");
  label.setAttribute("x", "3");
  label.setAttribute("y", "9");
  const line = document.createElementNS(SVG, "polyline");
  svg.replaceChildren(label, line);
  const samples: number[] = [];
  const step = WIDTH / (seconds - 1);

  const draw = (): void => {
    const max = roundUp(Math.max(1, ...samples));
    const first = seconds - samples.length;
    const points = samples.map((rate, index) => `${((first + index) * step).toFixed(1)},${(HEIGHT - 1 - (rate / max) * (HEIGHT - 1 - TOP)).toFixed(1)}`);
    line.setAttribute("points", points.join(" "));
    label.textContent = `max ${max}/s`;
  };

  return {
    add(rate) {
      samples.push(rate);
      if (samples.length > seconds) samples.shift();
      readout.textContent = String(Math.round(rate));
      draw();
    },
    samples,
  };
}

/** The least 1, 2 or 5 × 10ⁿ at or above `value`. */
function roundUp(value: number): number {
  const power = 10 ** Math.floor(Math.log10(value));
  for (const factor of [1, 2, 5, 10]) if (factor * power >= value) return factor * power;
  return 10 * power;
}
