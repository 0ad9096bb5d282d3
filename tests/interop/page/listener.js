// Measures what the softphone hears. The remote stream feeds WebAudio: an AudioWorklet
// (listener-worklet.js) decides, every 10 ms on the audio thread, whether the expected tone or a
// DTMF digit is sounding; an AnalyserNode reports the tone's level against the noise floor.
// Pure measurement: it never decides pass or fail, the test does.
'use strict';

window.Listener = class Listener {
  constructor(stream, toneHz) {
    this.toneHz = toneHz;
    this.toneHeardMs = 0;
    this.digits = '';
    this.keyTrace = ''; // each 10 ms block's key ('.' for none), to show what a missed or doubled digit looked like

    this.context = new AudioContext();
    // Chromium plays a remote WebRTC stream into WebAudio only while it is attached to a media element.
    const element = document.getElementById('remote');
    element.srcObject = stream;
    element.muted = true;
    element.play().catch(() => {});

    const source = this.context.createMediaStreamSource(stream);
    this.analyser = this.context.createAnalyser();
    this.analyser.fftSize = 2048;
    this.analyser.smoothingTimeConstant = 0;
    source.connect(this.analyser);
    this._spectrum = new Float32Array(this.analyser.frequencyBinCount);

    this.ready = this.context.audioWorklet.addModule('/listener-worklet.js').then(() => {
      const worklet = new AudioWorkletNode(this.context, 'tone-listener', { processorOptions: { toneHz } });
      worklet.port.onmessage = e => this._onBlock(e.data);
      // Keep the worklet in the rendered graph, silently.
      const silent = this.context.createGain();
      silent.gain.value = 0;
      source.connect(worklet).connect(silent).connect(this.context.destination);
    });
    this.ready.catch(e => console.error(`listener worklet: ${e}`));
    this.context.resume().catch(() => {});
  }

  _onBlock({ tone, key, digit }) {
    if (tone)
      this.toneHeardMs += 10;
    if (this.keyTrace.length < 4000)
      this.keyTrace += key ?? '.';
    if (digit)
      this.digits += digit;
  }

  // The strongest bin within one bin of a frequency, in dB.
  _level(hz) {
    const bin = Math.round(hz * this.analyser.fftSize / this.context.sampleRate);
    let best = -Infinity;
    for (let i = Math.max(0, bin - 1); i <= Math.min(this._spectrum.length - 1, bin + 1); i++)
      best = Math.max(best, this._spectrum[i]);
    return best;
  }

  snapshot() {
    this.analyser.getFloatFrequencyData(this._spectrum);
    const sorted = Array.from(this._spectrum).filter(Number.isFinite).sort((a, b) => a - b);
    const floor = sorted.length ? sorted[Math.floor(sorted.length / 2)] : -Infinity;
    // JSON has no -Infinity: silence reads as -200 dB.
    const db = v => Math.max(v, -200);
    return { toneHz: this.toneHz, toneHeardMs: this.toneHeardMs, toneDb: db(this._level(this.toneHz)), floorDb: db(floor),
      digits: this.digits, contextState: this.context.state, keyTrace: this.keyTrace };
  }

  close() {
    this.context.close().catch(() => {});
  }
};
