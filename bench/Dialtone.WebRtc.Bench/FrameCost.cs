using System.Diagnostics;

namespace Dialtone.WebRtc.Bench;

/// <summary>A quick in-process measure of the per-frame figures (the BenchmarkDotNet run is the careful one).</summary>
public static class FrameCost
{
    public static (double NsPerFrame, double BytesPerFrame) Measure(int frames)
    {
        var bench = new FrameBenchmarks();
        bench.Setup();
        try
        {
            for (int i = 0; i < 10_000; i++)
            {
                bench.Managed();
            }

            long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
            var watch = Stopwatch.StartNew();
            for (int i = 0; i < frames; i++)
            {
                bench.Managed();
            }

            watch.Stop();
            long allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
            return (watch.Elapsed.TotalNanoseconds / frames, (double)allocated / frames);
        }
        finally
        {
            bench.Cleanup();
        }
    }
}
