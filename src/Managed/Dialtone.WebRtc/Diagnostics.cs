using Dialtone.Bindings;
using Dialtone.WebRtc.Interop;

namespace Dialtone.WebRtc;

/// <summary>Counts of live native objects (leak tests).</summary>
internal readonly record struct NativeObjectCounts(long Factories, long PeerConnections, long DataChannels, long Transceivers, long AudioProcessors)
{
    /// <summary>The objects of calls (standalone audio processors are counted apart).</summary>
    public long Total => Factories + PeerConnections + DataChannels + Transceivers;
}

internal static unsafe class NativeDiagnostics
{
    public static NativeObjectCounts LiveObjects()
    {
        NativeLibraryLoader.EnsureLoaded();
        var counts = new DtLiveObjects { StructSize = (uint)sizeof(DtLiveObjects) };
        ThrowHelper.ThrowIfFailed(WebRtcShim.dt_get_live_objects(&counts), "dt_get_live_objects");
        return new NativeObjectCounts(counts.Factories, counts.PeerConnections, counts.DataChannels, counts.Transceivers, counts.AudioProcessors);
    }
}
