using System.Net;
using System.Net.Sockets;
using Dialtone.Phone.Media.Legacy;
using Dialtone.Sip.Sdp;
using Dialtone.Sip.Sessions;
using Dialtone.WebRtc;
using Microsoft.Extensions.Logging;

namespace Dialtone.Legacy.Tests.Phone;

/// <summary>
/// Dropped packets are logged by reason and rate-limited: a flood of garbage and forged RTP from a
/// stranger into a live SDES call gives a few lines naming the reason, not one per packet, and the
/// call's own media goes on.
/// </summary>
public sealed class DropLogTests : IAsyncLifetime
{
    private static readonly LegacyMediaOptions Loopback = new() { LocalAddress = IPAddress.Loopback, MediaTimeout = null };
    private readonly PeerConnectionFactory _factoryA = new(new PeerConnectionFactoryOptions { AudioDevice = AudioDeviceKind.Virtual, AudioProcessing = AudioProcessingOptions.Disabled });
    private readonly PeerConnectionFactory _factoryB = new(new PeerConnectionFactoryOptions { AudioDevice = AudioDeviceKind.Virtual, AudioProcessing = AudioProcessingOptions.Disabled });
    private readonly ListLogger _log = new();
    private LegacyMediaHandler _a = null!, _b = null!;

    public Task InitializeAsync()
    {
        _a = new LegacyMediaHandler(_factoryA, Loopback, MediaProfile.Sdes);
        _b = new LegacyMediaHandler(_factoryB, Loopback, MediaProfile.Sdes, null, _log);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _a.DisposeAsync();
        await _b.DisposeAsync();
        _factoryA.Dispose();
        _factoryB.Dispose();
    }

    [Fact]
    public async Task AFloodOfBadPacketsGivesAFewLinesPerReason_NotOnePerPacket()
    {
        await _b.SetRemoteOfferAsync(await _a.CreateOfferAsync(new SessionOfferOptions(), CancellationToken.None), CancellationToken.None);
        await _a.SetRemoteAnswerAsync(await _b.CreateAnswerAsync(CancellationToken.None), false, CancellationToken.None);
        await _b.FirstPacketReceived.WaitAsync(TimeSpan.FromSeconds(20));

        // 300 garbage datagrams and 300 well-formed RTP packets without valid SRTP auth, over ~1.5 s.
        using var attacker = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var target = new IPEndPoint(IPAddress.Loopback, _b.Session.LocalRtpPort);
        var garbage = new byte[] { 0x00, 0x01, 0x02 };
        var forged = new byte[172];
        forged[0] = 0x80; // V=2, PT 0
        for (int i = 0; i < 300; i++)
        {
            await attacker.SendAsync(garbage, target);
            forged[3] = (byte)i;
            await attacker.SendAsync(forged, target);
            if (i % 20 == 0)
            {
                await Task.Delay(100);
            }
        }

        // After latching onto A, anything from another address is a stranger (checked before parsing or SRTP).
        Assert.True(await Tones.EventuallyAsync(() => _log.Text.Contains("(600 so far)", StringComparison.Ordinal)), "the drops were logged:\n" + _log.Text);
        Assert.Contains("from an address other than the peer's", _log.Text);
        var stats = _b.GetStatistics();
        ulong dropped = stats.DroppedMalformed + stats.DroppedSrtp + stats.DroppedStranger;
        Assert.Equal(600UL, stats.DroppedStranger);
        Assert.True(dropped >= 600, $"every bad packet was dropped and counted ({dropped})");
        int lines = _log.Count("dropped");
        Assert.True(lines <= 10, $"rate-limited: {lines} lines for {dropped} drops:\n{_log.Text}");

        // The call's own media goes on.
        ulong before = _b.GetStatistics().RtpPacketsReceived;
        Assert.True(await Tones.EventuallyAsync(() => _b.GetStatistics().RtpPacketsReceived > before + 20));
    }

    private sealed class ListLogger : ILogger
    {
        private readonly List<string> _lines = [];

        public string Text
        {
            get
            {
                lock (_lines)
                {
                    return string.Join('\n', _lines);
                }
            }
        }

        public int Count(string fragment)
        {
            lock (_lines)
            {
                return _lines.Count(l => l.Contains(fragment, StringComparison.Ordinal));
            }
        }

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (_lines)
            {
                _lines.Add(formatter(state, exception));
            }
        }
    }
}
