using Dialtone.Sip.Message;

namespace Dialtone.Sip.Dialogs;

/// <summary>Dialogs by id, for matching received requests and responses (§12.2.2, §13.2.2.4 forking).</summary>
public sealed class SipDialogTable
{
    private readonly Dictionary<SipDialogId, SipDialog> _dialogs = [];

    public int Count => _dialogs.Count;

    public void Add(SipDialog dialog) => _dialogs[dialog.Id] = dialog;

    public bool Remove(SipDialog dialog) => _dialogs.Remove(dialog.Id);

    public SipDialog? Find(SipDialogId id) => _dialogs.GetValueOrDefault(id);

    public SipDialog? FindForRequest(SipRequest request) => SipDialogId.ForIncomingRequest(request) is { } id ? Find(id) : null;

    public SipDialog? FindForResponse(SipResponse response) => SipDialogId.ForResponse(response) is { } id ? Find(id) : null;

    /// <summary>Drops terminated dialogs.</summary>
    public int Prune()
    {
        var dead = _dialogs.Where(p => p.Value.State == SipDialogState.Terminated).Select(p => p.Key).ToList();
        foreach (var id in dead)
            _dialogs.Remove(id);
        return dead.Count;
    }
}
