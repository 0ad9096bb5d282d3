using Dialtone.Bindings;
using Dialtone.WebRtc.Interop;

namespace Dialtone.WebRtc.Rtp;

/// <summary>Owns a dt_rtp_session; keeps its factory alive.</summary>
internal sealed unsafe class RtpSessionHandle : ChildHandle
{
    private RtpSessionHandle(FactoryHandle factory) : base(factory)
    {
    }

    public DtRtpSession* Pointer => (DtRtpSession*)handle;

    public static RtpSessionHandle Create(FactoryHandle factory, DtRtpSessionOptions* options)
    {
        var safe = new RtpSessionHandle(factory);
        using var scope = new HandleScope(factory);
        DtRtpSession* session = null;
        int result = WebRtcShim.dt_rtp_session_create(factory.Pointer, options, &session);
        if (result != 0)
        {
            string message = ThrowHelper.LastErrorMessage();
            safe.DetachParent();
            safe.SetHandleAsInvalid();
            throw ThrowHelper.Create(result, message, "dt_rtp_session_create");
        }

        safe.Attach((nint)session);
        return safe;
    }

    protected override int ReleaseNative(nint native) => WebRtcShim.dt_rtp_session_release((DtRtpSession*)native);
}
