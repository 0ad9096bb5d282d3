using BenchmarkDotNet.Attributes;
using Dialtone.Bindings;

namespace Dialtone.WebRtc.Bench;

/// <summary>
/// One 10 ms frame (48 kHz mono, 480 samples) pushed into the virtual microphone and pulled from the
/// virtual speaker: through the managed API, and through the raw generated P/Invoke as the floor.
/// The difference is the managed overhead; allocated bytes must be 0.
/// </summary>
[MemoryDiagnoser]
public unsafe class FrameBenchmarks
{
    private readonly short[] capture = new short[480];
    private readonly short[] playout = new short[480];
    private PeerConnectionFactory factory = null!;
    private VirtualAudioDevice device = null!;
    private unsafe DtFactory* raw;

    [GlobalSetup]
    public void Setup()
    {
        factory = new PeerConnectionFactory(new PeerConnectionFactoryOptions { AudioDevice = AudioDeviceKind.Virtual });
        device = factory.VirtualAudio!;
        unsafe
        {
            raw = factory.Handle.Pointer;
        }
        for (int i = 0; i < capture.Length; i++)
        {
            capture[i] = (short)(Math.Sin(i * 2 * Math.PI / 48) * 8000);
        }
    }

    [GlobalCleanup]
    public void Cleanup() => factory.Dispose();

    // The floor: the two generated P/Invokes on a cached raw pointer, no SafeHandle, no checks.
    [Benchmark(Baseline = true, Description = "raw P/Invoke push+pull")]
    public unsafe int RawPInvoke()
    {
        nuint read = 0;
        fixed (short* c = capture)
        fixed (short* p = playout)
        {
            WebRtcShim.dt_factory_push_capture_audio(raw, c, 480, 48000, 1);
            WebRtcShim.dt_factory_pull_playout_audio(raw, p, 480, 48000, 1, &read);
        }

        return (int)read;
    }

    [Benchmark(Description = "managed PushCapture+PullPlayout")]
    public int Managed()
    {
        device.PushCapture(capture);
        return device.PullPlayout(playout);
    }
}
