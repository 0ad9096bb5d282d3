namespace Dialtone.Sip.Dialogs;

/// <summary>Early (from a 1xx with a To tag) → Confirmed (2xx) → Terminated (§12.1, §12.3).</summary>
public enum SipDialogState
{
    Early,
    Confirmed,
    Terminated,
}
