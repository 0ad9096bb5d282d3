using Microsoft.Extensions.Logging;
using Dialtone.WebRtc.Tests.Infrastructure;

namespace Dialtone.WebRtc.Tests.Native;

[Collection(NativeCollection.Name)]
public sealed class LoggingTests
{
    [Fact]
    public async Task LibWebRtcLogLinesReachTheLoggerUntilItIsRemoved()
    {
        var logger = new ListLogger();
        WebRtcLogging.SetLogger(logger, LogLevel.Information);
        try
        {
            using (var factory = new PeerConnectionFactory())
            await using (var pc = factory.CreatePeerConnection())
            {
                pc.AddAudioTrack();
                await pc.SetLocalDescriptionAsync(await pc.CreateOfferAsync());
            }

            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
            while (logger.Count == 0 && DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }

            Assert.True(logger.Count > 0, "no libwebrtc log line arrived");
            Assert.All(logger.Snapshot(), l => Assert.True(l.Level >= LogLevel.Information, $"{l.Level}: {l.Message}"));
        }
        finally
        {
            WebRtcLogging.SetLogger(null);
        }

        await Task.Delay(200);
        int after = logger.Count;
        using (var factory = new PeerConnectionFactory())
        await using (var pc = factory.CreatePeerConnection())
        {
            pc.AddAudioTrack();
            await pc.SetLocalDescriptionAsync(await pc.CreateOfferAsync());
        }

        await Task.Delay(300);
        Assert.Equal(after, logger.Count);
    }

    private sealed class ListLogger : ILogger
    {
        private readonly List<(LogLevel Level, string Message)> lines = [];

        public int Count
        {
            get
            {
                lock (lines)
                {
                    return lines.Count;
                }
            }
        }

        public List<(LogLevel Level, string Message)> Snapshot()
        {
            lock (lines)
            {
                return [.. lines];
            }
        }

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (lines)
            {
                lines.Add((logLevel, formatter(state, exception)));
            }
        }
    }
}
