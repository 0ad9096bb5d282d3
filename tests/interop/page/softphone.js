// A JsSIP user agent the interop tests drive through window.phone. Every action returns a promise
// or a value the test can read; everything that happens is recorded in phone.events so a failing
// test can print the browser's side of the story.
'use strict';

window.phone = (() => {
  const events = [];
  let ua = null;
  let session = null;
  let listener = null;
  let listenHz = 1000;
  let state = 'idle'; // idle | registered | calling | ringing | established | ended | failed
  let end = null;     // { originator, cause, statusCode }

  const log = (type, detail) => events.push({ t: Math.round(performance.now()), type, detail: detail ?? null });

  const rtcConfiguration = { iceServers: [] };
  let synthetic = null; // a WebAudio tone instead of the microphone, when asked for

  // JsSIP's media options: the (fake) microphone through getUserMedia, or the synthetic stream.
  const mediaOptions = () => synthetic
    ? { mediaStream: synthetic, pcConfig: rtcConfiguration }
    : { mediaConstraints: { audio: true, video: false }, pcConfig: rtcConfiguration };

  // An oscillator as the outgoing audio: no getUserMedia, so no media permission, which is when
  // Chromium hides its host addresses behind mDNS names.
  function synthesize(hz) {
    const context = new AudioContext();
    const oscillator = context.createOscillator();
    const gain = context.createGain();
    oscillator.frequency.value = hz;
    gain.gain.value = 0.3;
    const destination = context.createMediaStreamDestination();
    oscillator.connect(gain).connect(destination);
    oscillator.start();
    context.resume().catch(() => {});
    return destination.stream;
  }

  function listenTo(pc) {
    pc.addEventListener('track', event => {
      log('track', event.track.kind);
      if (event.track.kind !== 'audio' || listener)
        return;
      listener = new window.Listener(event.streams[0] ?? new MediaStream([event.track]), listenHz);
    });
    pc.addEventListener('iceconnectionstatechange', () => log('ice', pc.iceConnectionState));
  }

  function adopt(newSession) {
    session = newSession;
    end = null;
    if (listener) {
      listener.close();
      listener = null;
    }
    if (session.connection)
      listenTo(session.connection);
    session.on('peerconnection', e => listenTo(e.peerconnection));
    session.on('progress', e => log('progress', e.response?.status_code ?? null));
    session.on('accepted', () => log('accepted'));
    session.on('confirmed', () => { state = 'established'; log('confirmed'); });
    session.on('hold', e => log('hold', e.originator));
    session.on('unhold', e => log('unhold', e.originator));
    session.on('newDTMF', e => log('dtmf', { originator: e.originator, tone: e.dtmf.tone }));
    session.on('sdp', e => log('sdp', { originator: e.originator, type: e.type, sdp: e.sdp }));
    session.on('ended', e => {
      state = 'ended';
      end = { originator: e.originator, cause: e.cause, statusCode: null };
      log('ended', end);
    });
    session.on('failed', e => {
      state = 'failed';
      end = { originator: e.originator, cause: e.cause, statusCode: e.message?.status_code ?? null };
      log('failed', end);
    });
  }

  return {
    events,

    // Registers sip:user@domain through the WebSocket server; resolves once registered.
    // sayHz set: say that tone with WebAudio instead of opening the microphone.
    // password: for a server that challenges (digest); never logged.
    // iceServers: RTCIceServer entries (STUN/TURN) for the peer connection; none by default.
    start({ webSocketUri, domain, user, password, toneHz, sayHz, iceServers }) {
      listenHz = toneHz;
      rtcConfiguration.iceServers = iceServers ?? [];
      if (sayHz)
        synthetic = synthesize(sayHz);
      return new Promise((resolve, reject) => {
        const socket = new JsSIP.WebSocketInterface(webSocketUri);
        ua = new JsSIP.UA({
          sockets: [socket],
          uri: `sip:${user}@${domain}`,
          password: password ?? undefined,
          register: true,
          session_timers: false,
          user_agent: `JsSIP ${JsSIP.version} (Dialtone interop)`,
        });
        ua.on('registered', () => { state = 'registered'; log('registered'); resolve(JsSIP.version); });
        ua.on('registrationFailed', e => { log('registrationFailed', e.cause); reject(new Error(`registration failed: ${e.cause}`)); });
        ua.on('disconnected', e => {
          log('disconnected', e.error ? 'error' : 'closed');
          // Never connected (refused, or a certificate the browser does not trust): say so instead of retrying forever.
          if (state === 'idle') {
            ua.stop();
            reject(new Error(`the WebSocket to ${webSocketUri} failed`));
          }
        });
        ua.on('newRTCSession', e => {
          if (e.originator !== 'remote')
            return;
          log('incoming', e.request.from.toString());
          adopt(e.session);
          state = 'ringing';
        });
        ua.start();
      });
    },

    // Places a call; follow phone.state for its progress.
    call(target) {
      state = 'calling';
      adopt(ua.call(target, mediaOptions()));
    },

    answer() {
      session.answer(mediaOptions());
    },

    reject(statusCode) {
      session.terminate({ status_code: statusCode });
    },

    hangup() {
      session.terminate();
    },

    // 'RFC2833': RFC 4733 telephone-events through the peer connection's RTCDTMFSender;
    // 'INFO' (JsSIP's default): SIP INFO requests with application/dtmf-relay bodies.
    sendDtmf(digits, durationMs, gapMs, transportType) {
      session.sendDTMF(digits, { duration: durationMs, interToneGap: gapMs, transportType });
    },

    hold() { return session.hold(); },
    unhold() { return session.unhold(); },

    isOnHold() { return session ? session.isOnHold() : { local: false, remote: false }; },

    // The call's state, what ended it, and what the listener heard.
    snapshot() {
      return { state, end, heard: listener ? listener.snapshot() : null };
    },

    // Audio RTP packet counters from getStats().
    async packets() {
      const pc = session?.connection;
      if (!pc)
        return { received: 0, sent: 0 };
      const report = await pc.getStats();
      let received = 0;
      let sent = 0;
      report.forEach(s => {
        if (s.type === 'inbound-rtp' && s.kind === 'audio')
          received += s.packetsReceived ?? 0;
        if (s.type === 'outbound-rtp' && s.kind === 'audio')
          sent += s.packetsSent ?? 0;
      });
      return { received, sent };
    },

    stop() {
      if (listener)
        listener.close();
      if (ua)
        ua.stop();
    },
  };
})();
