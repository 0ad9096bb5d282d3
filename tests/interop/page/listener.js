// Measures what the softphone hears: the remote stream goes through a WebAudio AnalyserNode, and
// every 20 ms its spectrum is read for the expected tone and for DTMF digits (a row and a column
// frequency both standing out). Pure measurement: it never decides pass or fail, the test does.
'use strict';

window.Listener = class Listener {
  static POLL_MS = 20;
  static ROWS = [697, 770, 852, 941];
  static COLUMNS = [1209, 1336, 1477, 1633];
  static KEYS = ['123A', '456B', '789C', '*0#D'];

  constructor(stream, toneHz) {
    this.toneHz = toneHz;
    this.toneHeardMs = 0;
    this.toneDb = -Infinity;
    this.floorDb = -Infinity;
    this.digits = '';
    this._candidate = null;
    this._candidateCount = 0;
    this._current = null;

    this.context = new AudioContext();
    // Chromium plays a remote WebRTC stream into WebAudio only while it is attached to a media element.
    const element = document.getElementById('remote');
    element.srcObject = stream;
    element.muted = true;
    element.play().catch(() => {});

    this.analyser = this.context.createAnalyser();
    this.analyser.fftSize = 2048;            // 23.4 Hz bins at 48 kHz: DTMF frequencies are 70+ Hz apart
    this.analyser.smoothingTimeConstant = 0; // each read describes the last 43 ms only
    this.context.createMediaStreamSource(stream).connect(this.analyser);
    this._spectrum = new Float32Array(this.analyser.frequencyBinCount);
    this.context.resume().catch(() => {});
    this._timer = setInterval(() => this._poll(), Listener.POLL_MS);
  }

  // The strongest bin within one bin of a frequency, in dB.
  _level(hz) {
    const bin = this._bin(hz);
    let best = -Infinity;
    for (let i = Math.max(0, bin - 1); i <= Math.min(this._spectrum.length - 1, bin + 1); i++)
      best = Math.max(best, this._spectrum[i]);
    return best;
  }

  _bin(hz) {
    return Math.round(hz * this.analyser.fftSize / this.context.sampleRate);
  }

  // The strongest bin of the whole spectrum: what dominates what we hear.
  _peak() {
    let bin = 0;
    for (let i = 1; i < this._spectrum.length; i++)
      if (this._spectrum[i] > this._spectrum[bin])
        bin = i;
    return { bin, db: this._spectrum[bin] };
  }

  _median() {
    const sorted = Array.from(this._spectrum).filter(Number.isFinite).sort((a, b) => a - b);
    return sorted.length ? sorted[Math.floor(sorted.length / 2)] : -Infinity;
  }

  _poll() {
    this.analyser.getFloatFrequencyData(this._spectrum);
    const floor = this._median();
    const peak = this._peak();
    this.floorDb = floor;
    this.toneDb = this._level(this.toneHz);
    // Heard: loud enough, well above the noise floor, and the strongest thing in the spectrum.
    if (this.toneDb > -70 && this.toneDb - floor > 25 && Math.abs(peak.bin - this._bin(this.toneHz)) <= 1)
      this.toneHeardMs += Listener.POLL_MS;
    this._trackDigit(this._digit(floor, peak));
  }

  // The DTMF key sounding now, or null: the strongest row and column each clearly above the rest.
  _digit(floor, peak) {
    const strongest = freqs => {
      const levels = freqs.map(f => this._level(f));
      const order = levels.map((l, i) => i).sort((a, b) => levels[b] - levels[a]);
      return { index: order[0], level: levels[order[0]], next: levels[order[1]] };
    };
    const row = strongest(Listener.ROWS);
    const column = strongest(Listener.COLUMNS);
    const clear = g => g.level > -70 && g.level - floor > 25 && g.level - g.next > 10;
    // One of the pair must be the spectrum's peak, or a strong tone next to a DTMF frequency could pass.
    const dominant = [Listener.ROWS[row.index], Listener.COLUMNS[column.index]].some(hz => Math.abs(peak.bin - this._bin(hz)) <= 1);
    return clear(row) && clear(column) && dominant ? Listener.KEYS[row.index][column.index] : null;
  }

  // A digit counts once it is seen in two consecutive reads, and again only after a pause.
  _trackDigit(key) {
    if (key === this._candidate) {
      this._candidateCount++;
    } else {
      this._candidate = key;
      this._candidateCount = 1;
    }
    if (this._candidateCount < 2)
      return;
    if (key !== this._current && key !== null)
      this.digits += key;
    this._current = key;
  }

  snapshot() {
    // JSON has no -Infinity: silence reads as -200 dB.
    const db = v => Math.max(v, -200);
    return { toneHz: this.toneHz, toneHeardMs: this.toneHeardMs, toneDb: db(this.toneDb), floorDb: db(this.floorDb),
      digits: this.digits, contextState: this.context.state };
  }

  close() {
    clearInterval(this._timer);
    this.context.close().catch(() => {});
  }
};
