// Runs on WebAudio's rendering thread, so no main-thread timer delay can make it miss a digit:
// every 10 ms of the remote audio goes through Goertzel filters for the expected tone and for the
// eight DTMF frequencies (ITU-T Q.23), and what it finds is posted to the page.
'use strict';

const ROWS = [697, 770, 852, 941];
const COLUMNS = [1209, 1336, 1477, 1633];
const KEYS = ['123A', '456B', '789C', '*0#D'];
const DROPOUT_TOLERANCE_MS = 25; // a glitch inside one tone is not a second press (Q.24 pauses are 40 ms or more)

class ToneListenerProcessor extends AudioWorkletProcessor {
  constructor(options) {
    super();
    this.toneHz = options.processorOptions.toneHz;
    this.block = new Float32Array(Math.round(sampleRate / 100));
    this.fill = 0;
    this.candidate = null;
    this.candidateBlocks = 0;
    this.sounding = null;
    this.missingMs = 0;
  }

  // Share of the block's energy at one frequency: 1 for a pure tone there, near 0 for none.
  relativePower(hz, energy) {
    const n = this.block.length;
    const coefficient = 2 * Math.cos(2 * Math.PI * hz / sampleRate);
    let s1 = 0;
    let s2 = 0;
    for (let i = 0; i < n; i++) {
      const s0 = this.block[i] + coefficient * s1 - s2;
      s2 = s1;
      s1 = s0;
    }
    const power = s1 * s1 + s2 * s2 - coefficient * s1 * s2;
    return 2 * power / (n * energy);
  }

  strongest(freqs, energy) {
    const levels = freqs.map(f => this.relativePower(f, energy));
    const order = levels.map((_, i) => i).sort((a, b) => levels[b] - levels[a]);
    return { index: order[0], power: levels[order[0]], runnerUp: levels[order[1]] };
  }

  analyse() {
    let energy = 0;
    for (const x of this.block)
      energy += x * x;
    const audible = energy / this.block.length > 1e-7; // about -70 dBFS
    const tone = audible && this.relativePower(this.toneHz, energy) >= 0.5;
    let key = null;
    if (audible) {
      const row = this.strongest(ROWS, energy);
      const column = this.strongest(COLUMNS, energy);
      if (row.power > 0.15 && column.power > 0.15 && row.power + column.power > 0.6
          && row.power > 4 * row.runnerUp && column.power > 4 * column.runnerUp)
        key = KEYS[row.index][column.index];
    }
    this.port.postMessage({ tone, key, digit: this.track(key) });
  }

  // A digit is reported once, when it has lasted two blocks; it ends after a 25 ms absence.
  track(key) {
    if (this.sounding !== null) {
      if (key === this.sounding) {
        this.missingMs = 0;
        return null;
      }
      this.missingMs += 10;
      if (this.missingMs < DROPOUT_TOLERANCE_MS)
        return null;
      this.sounding = null;
      this.candidate = null;
    }
    if (key !== this.candidate) {
      this.candidate = key;
      this.candidateBlocks = 1;
      return null;
    }
    this.candidateBlocks++;
    if (key === null || this.candidateBlocks < 2)
      return null;
    this.sounding = key;
    this.missingMs = 0;
    return key;
  }

  process(inputs) {
    const channel = inputs[0]?.[0];
    if (channel) {
      for (let i = 0; i < channel.length; i++) {
        this.block[this.fill++] = channel[i];
        if (this.fill === this.block.length) {
          this.analyse();
          this.fill = 0;
        }
      }
    }
    return true;
  }
}

registerProcessor('tone-listener', ToneListenerProcessor);
