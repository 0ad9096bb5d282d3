using Dialtone.WebRtc;

namespace Dialtone.Cli.Controls;

/// <summary>One thing the user asks of the call, from a key at the terminal or a line on standard input.</summary>
internal abstract record Control;

/// <summary>Answer the ringing call (<c>listen</c>).</summary>
internal sealed record Answer : Control;

/// <summary>Decline the ringing call with 603 (<c>listen</c>).</summary>
internal sealed record Reject : Control;

internal sealed record Hangup : Control;

/// <summary>Mute or unmute what the peer hears from us; null toggles.</summary>
internal sealed record Mute(bool? On) : Control;

/// <summary>Hold or resume the call (re-INVITE); null toggles.</summary>
internal sealed record Hold(bool? On) : Control;

/// <summary>DTMF digits (RFC 4733) for the peer.</summary>
internal sealed record Digits(string Value) : Control;

/// <summary>Blind transfer (REFER) of the peer to this address.</summary>
internal sealed record Transfer(string Target) : Control;

/// <summary>Speaker or microphone volume, 0..1: set to <see cref="Amount"/>, or changed by it when <see cref="Relative"/>.</summary>
internal sealed record Volume(AudioDeviceDirection Direction, double Amount, bool Relative) : Control;

/// <summary>A line that is not a command: said back to the user, nothing else happens.</summary>
internal sealed record Unknown(string Text) : Control;
