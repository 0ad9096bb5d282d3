using System.Runtime.InteropServices;

namespace Dialtone.Load.Bench;

/// <summary>
/// Context switches of this whole process, ended threads included (getrusage RUSAGE_SELF): on a VM a
/// wake-up of a thread costs more than most of the work it is woken for, so the number of them per call
/// tells thread hops apart from work — and it is far steadier from run to run than CPU time.
/// </summary>
internal static partial class ContextSwitches
{
    /// <summary>Voluntary (a thread waited) plus involuntary (a thread was preempted) switches so far.</summary>
    public static (long Voluntary, long Involuntary) OfThisProcess()
    {
        var usage = new RUsage();
        return GetRUsage(0 /* RUSAGE_SELF */, ref usage) == 0 ? (usage.NVcsw, usage.NIvcsw) : (0, 0);
    }

    [LibraryImport("libc", EntryPoint = "getrusage")]
    private static partial int GetRUsage(int who, ref RUsage usage);

    // struct rusage on 64-bit Linux: two timevals, then 14 longs; ru_nvcsw and ru_nivcsw are the last two.
    [StructLayout(LayoutKind.Sequential)]
    private struct RUsage
    {
        public long UtimeSec, UtimeUsec, StimeSec, StimeUsec;
        public long MaxRss, IxRss, IdRss, IsRss, MinFlt, MajFlt, NSwap, InBlock, OuBlock, MsgSnd, MsgRcv, NSignals;
        public long NVcsw, NIvcsw;
    }
}

/// <summary>
/// glibc's malloc_trim: gives the pages that the native heap keeps free back to the system. The warm-up's
/// thousand calls leave the allocator holding their freed memory; without a trim the held calls reuse it
/// and their resident-set delta says nothing (measured: 115 → 182 MB idle, then −0.4 to +0.3 MB "per call").
/// </summary>
internal static partial class NativeHeap
{
    public static void Trim() => MallocTrim(0);

    [LibraryImport("libc", EntryPoint = "malloc_trim")]
    private static partial int MallocTrim(nuint pad);
}
