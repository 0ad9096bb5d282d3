using System.Diagnostics;

namespace Dialtone.WebRtc.Bench;

/// <summary>
/// N concurrent loopback calls through the managed API: two factories with virtual devices (the
/// calling side and the called side), N peer-connection pairs between them with an Opus audio track
/// each way, a 10 ms pump pushing a tone into both microphones and pulling both speakers. Measures
/// the process CPU time per wall-clock second once the calls are up.
/// </summary>
public static class CallLoad
{
    public static async Task<double> MeasureCpuMsPerSecondAsync(int calls, TimeSpan warmup, TimeSpan window)
    {
        var options = new PeerConnectionFactoryOptions { AudioDevice = AudioDeviceKind.Virtual, AudioProcessing = AudioProcessingOptions.Disabled };
        using var callerFactory = new PeerConnectionFactory(options);
        using var calleeFactory = new PeerConnectionFactory(options);
        var pairs = new List<(PeerConnection A, PeerConnection B)>();
        try
        {
            for (int i = 0; i < calls; i++)
            {
                var a = callerFactory.CreatePeerConnection();
                var b = calleeFactory.CreatePeerConnection();
                pairs.Add((a, b));
                a.AddAudioTrack();
                await ConnectAsync(a, b);
            }

            using var stop = new CancellationTokenSource();
            var pump = Task.Run(() => PumpAsync(callerFactory.VirtualAudio!, calleeFactory.VirtualAudio!, stop.Token));
            await Task.Delay(warmup);
            var process = Process.GetCurrentProcess();
            process.Refresh();
            TimeSpan cpuStart = process.TotalProcessorTime;
            var wall = Stopwatch.StartNew();
            await Task.Delay(window);
            process.Refresh();
            double cpuMs = (process.TotalProcessorTime - cpuStart).TotalMilliseconds;
            double seconds = wall.Elapsed.TotalSeconds;
            await stop.CancelAsync();
            await pump;
            return cpuMs / seconds;
        }
        finally
        {
            foreach (var (a, b) in pairs)
            {
                await a.DisposeAsync();
                await b.DisposeAsync();
            }
        }
    }

    private static async Task ConnectAsync(PeerConnection a, PeerConnection b)
    {
        var offer = await a.CreateOfferAsync();
        await a.SetLocalDescriptionAsync(offer);
        await a.WaitForIceGatheringCompleteAsync(TimeSpan.FromSeconds(5));
        await b.SetRemoteDescriptionAsync(a.LocalDescription!);
        b.AddAudioTrack();
        var answer = await b.CreateAnswerAsync();
        await b.SetLocalDescriptionAsync(answer);
        await b.WaitForIceGatheringCompleteAsync(TimeSpan.FromSeconds(5));
        await a.SetRemoteDescriptionAsync(b.LocalDescription!);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (a.ConnectionState != PeerConnectionState.Connected || b.ConnectionState != PeerConnectionState.Connected)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("a benchmark call did not connect within 20 s");
            }

            await Task.Delay(20);
        }
    }

    private static async Task PumpAsync(VirtualAudioDevice caller, VirtualAudioDevice callee, CancellationToken ct)
    {
        var frame = new short[caller.SamplesPer10Ms];
        var sink = new short[caller.SamplesPer10Ms * 4];
        for (int i = 0; i < frame.Length; i++)
        {
            frame[i] = (short)(Math.Sin(i * 2 * Math.PI * 1000 / caller.SampleRate) * 8000);
        }

        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(10));
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                caller.PushCapture(frame);
                callee.PushCapture(frame);
                while (caller.PullPlayout(sink) > 0)
                {
                }

                while (callee.PullPlayout(sink) > 0)
                {
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
