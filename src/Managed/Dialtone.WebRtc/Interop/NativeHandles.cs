using System.Runtime.InteropServices;
using Dialtone.Bindings;

namespace Dialtone.WebRtc.Interop;

// One sealed SafeHandle per owned handle type. Each keeps its parent alive (DangerousAddRef) until
// it is released itself, and owns the GCHandles that native callbacks of the object carry as
// user_data: they are freed only after the native release returned, when no callback can run.

/// <summary>
/// Owns a dt_factory and the GCHandle its device callbacks carry. Peer connections (and RTP
/// sessions, call audio) keep this handle alive after the factory is disposed, and the native
/// device keeps reporting until the native release: the GCHandle is freed only after that.
/// </summary>
internal sealed unsafe class FactoryHandle() : SafeHandle(0, ownsHandle: true)
{
    private GCHandle callbackTarget;

    public override bool IsInvalid => handle == 0;

    /// <summary>The GCHandle passed as user_data to dt_factory_set_callbacks (freed after the native release).</summary>
    public void OwnCallbackHandle(GCHandle gcHandle) => callbackTarget = gcHandle;

    public DtFactory* Pointer => (DtFactory*)handle;

    public static FactoryHandle Create(DtFactoryOptions* options)
    {
        var safe = new FactoryHandle();
        DtFactory* factory = null;
        ThrowHelper.ThrowIfFailed(WebRtcShim.dt_factory_create(options, &factory), "dt_factory_create");
        safe.SetHandle((nint)factory);
        return safe;
    }

    protected override bool ReleaseHandle()
    {
        bool released = WebRtcShim.dt_factory_release((DtFactory*)handle) == 0;
        if (callbackTarget.IsAllocated)
        {
            callbackTarget.Free();
        }

        return released;
    }
}

/// <summary>Base for handles that keep a parent handle alive and own callback GCHandles.</summary>
internal abstract class ChildHandle : SafeHandle
{
    private readonly SafeHandle parent;
    private readonly List<GCHandle> callbackHandles = [];
    private bool parentAdded;

    protected ChildHandle(SafeHandle parent) : base(0, ownsHandle: true)
    {
        this.parent = parent;
        parent.DangerousAddRef(ref parentAdded);
    }

    public override bool IsInvalid => handle == 0;

    /// <summary>A GCHandle passed as user_data to this object's (or its children's) callbacks.</summary>
    public void OwnCallbackHandle(GCHandle gcHandle)
    {
        lock (callbackHandles)
        {
            callbackHandles.Add(gcHandle);
        }
    }

    protected abstract int ReleaseNative(nint native);

    protected sealed override bool ReleaseHandle()
    {
        int result = ReleaseNative(handle);
        lock (callbackHandles)
        {
            foreach (var h in callbackHandles)
            {
                h.Free();
            }

            callbackHandles.Clear();
        }

        if (parentAdded)
        {
            parent.DangerousRelease();
        }

        return result == 0;
    }

    protected void Attach(nint native) => SetHandle(native);

    /// <summary>Called when the native create failed: give back the parent reference now.</summary>
    protected void DetachParent()
    {
        if (parentAdded)
        {
            parentAdded = false;
            parent.DangerousRelease();
        }
    }
}

/// <summary>Owns a dt_peer_connection; keeps its factory alive.</summary>
internal sealed unsafe class PeerConnectionHandle : ChildHandle
{
    private PeerConnectionHandle(FactoryHandle factory) : base(factory)
    {
    }

    public DtPeerConnection* Pointer => (DtPeerConnection*)handle;

    public static PeerConnectionHandle Create(FactoryHandle factory, DtPeerConnectionConfig* config)
    {
        var safe = new PeerConnectionHandle(factory);
        using var scope = new HandleScope(factory);
        DtPeerConnection* pc = null;
        int result = WebRtcShim.dt_peer_connection_create(factory.Pointer, config, &pc);
        if (result != 0)
        {
            string message = ThrowHelper.LastErrorMessage();
            safe.DetachParent();
            safe.SetHandleAsInvalid();
            throw ThrowHelper.Create(result, message, "dt_peer_connection_create");
        }

        safe.Attach((nint)pc);
        return safe;
    }

    protected override int ReleaseNative(nint native) => WebRtcShim.dt_peer_connection_release((DtPeerConnection*)native);
}

/// <summary>Owns one reference to a dt_data_channel; keeps its peer connection alive.</summary>
internal sealed unsafe class DataChannelHandle : ChildHandle
{
    private DataChannelHandle(PeerConnectionHandle peerConnection) : base(peerConnection)
    {
    }

    public DtDataChannel* Pointer => (DtDataChannel*)handle;

    /// <summary>Takes ownership of a channel reference the shim handed over.</summary>
    public static DataChannelHandle Adopt(PeerConnectionHandle peerConnection, DtDataChannel* channel)
    {
        var safe = new DataChannelHandle(peerConnection);
        safe.Attach((nint)channel);
        return safe;
    }

    protected override int ReleaseNative(nint native) => WebRtcShim.dt_data_channel_release((DtDataChannel*)native);
}

/// <summary>
/// Keeps a SafeHandle from being released for the duration of a native call
/// (throws <see cref="ObjectDisposedException"/> when it already is). Allocation-free.
/// </summary>
internal ref struct HandleScope
{
    private readonly SafeHandle handle;
    private bool added;

    public HandleScope(SafeHandle handle)
    {
        this.handle = handle;
        handle.DangerousAddRef(ref added);
    }

    public void Dispose()
    {
        if (added)
        {
            added = false;
            handle.DangerousRelease();
        }
    }
}
