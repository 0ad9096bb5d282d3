namespace Dialtone.WebRtc.Bench;

/// <summary>Runs the shim's own C++ benchmark (dt_native_bench) as a subprocess with the same load.</summary>
public static class NativeBench
{
    public static double? MeasureCpuMsPerSecond(int calls, double seconds)
    {
        Console.Error.WriteLine("dt_native_bench: not wired yet");
        return null;
    }
}
