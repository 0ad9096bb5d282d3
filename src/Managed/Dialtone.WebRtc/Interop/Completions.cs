using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Dialtone.Bindings;

namespace Dialtone.WebRtc.Interop;

/// <summary>
/// One asynchronous native operation. Its GCHandle is normal (the operation must stay alive until the
/// shim calls back exactly once) and is freed inside that callback, or right away when the native
/// function refused to start the operation.
/// </summary>
internal sealed unsafe class PendingOperation<T>(string operation)
{
    private readonly TaskCompletionSource<T> completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string Operation { get; } = operation;

    public Task<T> Task => completion.Task;

    public nint Pin() => GCHandle.ToIntPtr(GCHandle.Alloc(this));

    /// <summary>The native call returned non-zero: no callback will come.</summary>
    public static void Unpin(nint userData) => GCHandle.FromIntPtr(userData).Free();

    public static PendingOperation<T>? Take(void* userData)
    {
        var handle = GCHandle.FromIntPtr((nint)userData);
        var op = handle.Target as PendingOperation<T>;
        handle.Free();
        return op;
    }

    public void Succeed(T value) => completion.TrySetResult(value);

    public void Fail(Exception e) => completion.TrySetException(e);
}

/// <summary>The static entry points the shim calls when an asynchronous operation completes.</summary>
internal static unsafe class CompletionTrampolines
{
    public static delegate* unmanaged[Cdecl]<void*, int, DtSdpType, byte*, byte*, void> SessionDescription => &OnSessionDescription;

    public static delegate* unmanaged[Cdecl]<void*, int, byte*, void> Completion => &OnCompletion;

    public static delegate* unmanaged[Cdecl]<void*, int, byte*, nuint, byte*, void> Stats => &OnStats;

    [UnmanagedCallersOnly(CallConvs = new[] { typeof(CallConvCdecl) })]
    private static void OnSessionDescription(void* userData, int result, DtSdpType type, byte* sdp, byte* errorMessage)
    {
        try
        {
            var op = PendingOperation<SessionDescription>.Take(userData);
            if (op is null)
            {
                return;
            }

            if (result == 0 && sdp is not null)
            {
                op.Succeed(new SessionDescription((SdpType)type, Utf8.FromNullTerminated(sdp)));
            }
            else
            {
                op.Fail(ThrowHelper.Create(result == 0 ? (int)DtResultCode.ErrorInternal : result, Utf8.FromNullTerminatedOrNull(errorMessage), op.Operation));
            }
        }
        catch (Exception)
        {
            // Never let an exception cross into native code.
        }
    }

    [UnmanagedCallersOnly(CallConvs = new[] { typeof(CallConvCdecl) })]
    private static void OnCompletion(void* userData, int result, byte* errorMessage)
    {
        try
        {
            var op = PendingOperation<bool>.Take(userData);
            if (op is null)
            {
                return;
            }

            if (result == 0)
            {
                op.Succeed(true);
            }
            else
            {
                op.Fail(ThrowHelper.Create(result, Utf8.FromNullTerminatedOrNull(errorMessage), op.Operation));
            }
        }
        catch (Exception)
        {
        }
    }

    [UnmanagedCallersOnly(CallConvs = new[] { typeof(CallConvCdecl) })]
    private static void OnStats(void* userData, int result, byte* json, nuint jsonLength, byte* errorMessage)
    {
        try
        {
            var op = PendingOperation<string>.Take(userData);
            if (op is null)
            {
                return;
            }

            if (result == 0 && json is not null)
            {
                // Only copy here; parsing happens in the awaiting method, off the signalling thread.
                op.Succeed(System.Text.Encoding.UTF8.GetString(json, checked((int)jsonLength)));
            }
            else
            {
                op.Fail(ThrowHelper.Create(result == 0 ? (int)DtResultCode.ErrorInternal : result, Utf8.FromNullTerminatedOrNull(errorMessage), op.Operation));
            }
        }
        catch (Exception)
        {
        }
    }
}
