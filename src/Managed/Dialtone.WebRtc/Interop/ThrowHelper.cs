using System.Buffers;
using System.Text;
using Dialtone.Bindings;

namespace Dialtone.WebRtc.Interop;

/// <summary>The one place that turns the shim's result codes into exceptions.</summary>
internal static unsafe class ThrowHelper
{
    /// <summary>Throws for a non-zero result, with the calling thread's dt_last_error_message.</summary>
    public static void ThrowIfFailed(int result, string operation)
    {
        if (result != (int)DtResultCode.Ok)
        {
            throw Create(result, LastErrorMessage(), operation);
        }
    }

    /// <summary>The exception for a result delivered by a completion callback (message borrowed from it).</summary>
    public static Exception Create(int result, string? message, string operation)
    {
        var code = (WebRtcErrorCode)result;
        string text = string.IsNullOrWhiteSpace(message)
            ? $"{operation} failed: {code}"
            : $"{operation} failed ({code}): {message}";
        return code switch
        {
            WebRtcErrorCode.SdpParse or WebRtcErrorCode.SdpRejected => new SessionDescriptionException(code, text),
            WebRtcErrorCode.IceCandidate => new IceCandidateException(code, text),
            _ => new WebRtcException(code, text),
        };
    }

    public static string LastErrorMessage()
    {
        const int StackSize = 512;
        byte* buffer = stackalloc byte[StackSize];
        nuint needed = WebRtcShim.dt_last_error_message(buffer, StackSize);
        if (needed <= StackSize)
        {
            return Utf8.FromNullTerminated(buffer);
        }

        byte[] rented = ArrayPool<byte>.Shared.Rent((int)needed);
        try
        {
            fixed (byte* p = rented)
            {
                WebRtcShim.dt_last_error_message(p, (nuint)rented.Length);
                return Utf8.FromNullTerminated(p);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }
}

/// <summary>UTF-8 helpers for strings crossing the ABI.</summary>
internal static unsafe class Utf8
{
    public static string FromNullTerminated(byte* text) =>
        text is null ? string.Empty : Encoding.UTF8.GetString(System.Runtime.InteropServices.MemoryMarshal.CreateReadOnlySpanFromNullTerminated(text));

    public static string? FromNullTerminatedOrNull(byte* text) => text is null ? null : FromNullTerminated(text);

    /// <summary>A native call that fills a caller buffer and reports the size it needs (NUL included).</summary>
    public delegate int BufferCall(byte* buffer, nuint capacity, nuint* needed);

    /// <summary>Runs the caller-buffer convention: try a stack buffer, retry with the size asked for.</summary>
    public static string ReadString(BufferCall call, string operation)
    {
        const int StackSize = 256;
        byte* stack = stackalloc byte[StackSize];
        nuint needed = 0;
        int result = call(stack, StackSize, &needed);
        if (result == (int)DtResultCode.Ok && needed <= StackSize)
        {
            return FromNullTerminated(stack);
        }

        if (result != (int)DtResultCode.Ok && result != (int)DtResultCode.ErrorBufferTooSmall)
        {
            ThrowHelper.ThrowIfFailed(result, operation);
        }

        while (true)
        {
            byte[] rented = ArrayPool<byte>.Shared.Rent((int)Math.Max(needed, StackSize * 2));
            try
            {
                fixed (byte* p = rented)
                {
                    result = call(p, (nuint)rented.Length, &needed);
                    if (result == (int)DtResultCode.Ok && needed <= (nuint)rented.Length)
                    {
                        return FromNullTerminated(p);
                    }

                    if (result != (int)DtResultCode.Ok && result != (int)DtResultCode.ErrorBufferTooSmall)
                    {
                        ThrowHelper.ThrowIfFailed(result, operation);
                    }
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>A NUL-terminated copy in unmanaged memory (for strings inside structs); free with <see cref="Free"/>.</summary>
    public static byte* Allocate(string? value) =>
        value is null ? null : (byte*)System.Runtime.InteropServices.Marshal.StringToCoTaskMemUTF8(value);

    public static void Free(byte* value)
    {
        if (value is not null)
        {
            System.Runtime.InteropServices.Marshal.FreeCoTaskMem((nint)value);
        }
    }
}
