using System.Globalization;
using System.Text;
using Dialtone.Sip.Message;
using Dialtone.Sip.Transactions;

namespace Dialtone.Sip.Stack;

/// <summary>
/// Finds the transaction a message belongs to (RFC 3261 §17.1.3, §17.2.3): clients by top Via
/// branch + CSeq method; servers by branch + sent-by + method (ACK matches its INVITE). INVITE
/// server transactions are also indexed by Call-ID + CSeq to match the 2xx ACK, which has its own branch.
/// Used only on the executor.
/// </summary>
internal sealed class TransactionTable
{
    private readonly Dictionary<string, SipClientTransaction> _clients = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SipClientTransaction>.AlternateLookup<ReadOnlySpan<char>> _clientsBySpan;
    private readonly Dictionary<string, SipServerTransaction> _servers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, InviteServerTransaction> _invitesByDialogKey = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SipServerTransaction> _byMergeKey = new(StringComparer.Ordinal);

    public TransactionTable() => _clientsBySpan = _clients.GetAlternateLookup<ReadOnlySpan<char>>();

    public static string ClientKey(string branch, string method) => $"{branch}|{method}";

    public static string ServerKey(SipRequest request) =>
        Key(request, request.Method == SipMethods.Ack ? SipMethods.Invite : request.Method);

    /// <summary>The key of the INVITE a CANCEL targets: same branch and sent-by (§9.2).</summary>
    public static string InviteKeyForCancel(SipRequest cancel) => Key(cancel, SipMethods.Invite);

    /// <summary>
    /// §17.2.3: with a magic-cookie branch, branch + sent-by + method. Without one (an RFC 2543
    /// peer), the request itself identifies the transaction: Request-URI, From tag, Call-ID, CSeq
    /// number, top Via and method, plus the To tag except for INVITE/ACK/CANCEL (the ACK for a
    /// non-2xx carries the tag of our response, the INVITE and its CANCEL none).
    /// </summary>
    private static string Key(SipRequest request, string method)
    {
        // The common case reads the Via in place (no SipVia record); the message was validated, so the view parses.
        if (request.TryGetTopVia(out var top) && top.HasRfc3261Branch)
            return ServerKey(top.Branch, top.Host, top.Port, method);
        var via = request.TopVia!;
        var toTag = method == SipMethods.Invite || request.Method == SipMethods.Cancel ? "" : request.To?.Tag;
        return $"2543|{request.RequestUri}|{request.From?.Tag}|{toTag}|{request.CallId}|{request.CSeq!.Number}|{via}|{method}";
    }

    private static string DialogKey(SipMessage m) => $"{m.CallId}|{m.CSeq!.Number}";

    /// <summary>§8.2.2.2: From tag, Call-ID and CSeq identify a request across paths; null when it has a To tag.</summary>
    private static string? MergeKey(SipRequest r) =>
        r.To?.Tag is null && r.Method is not (SipMethods.Ack or SipMethods.Cancel) ? $"{r.From?.Tag}|{r.CallId}|{r.CSeq!.Number}|{r.Method}" : null;

    /// <summary>Another live server transaction for the same request that came by a different path, if any.</summary>
    public SipServerTransaction? FindMergedWith(SipRequest request, SipServerTransaction self) =>
        MergeKey(request) is { } key && _byMergeKey.TryGetValue(key, out var other) && !ReferenceEquals(other, self) ? other : null;

    public bool TryAddClient(SipClientTransaction tx) => _clients.TryAdd(tx.Key, tx);

    public void AddServer(SipServerTransaction tx)
    {
        _servers[tx.Key] = tx;
        if (MergeKey(tx.Request) is { } mergeKey)
            _byMergeKey.TryAdd(mergeKey, tx);
        if (tx is InviteServerTransaction invite)
            _invitesByDialogKey[DialogKey(tx.Request)] = invite;
    }

    public SipClientTransaction? FindClient(SipResponse response)
    {
        // Read in place and looked up by a key composed on the stack: a response allocates nothing here.
        if (!response.TryGetTopVia(out var via) || !response.TryGetCSeq(out var cseq))
            return FindClientByRecords(response); // the typed headers are the reference; the views read what they accept
        if (via.Branch.IsEmpty)
            return null;
        var length = via.Branch.Length + 1 + cseq.MethodBytes.Length;
        if (length > 512)
            return _clients.GetValueOrDefault(ClientKey(Encoding.UTF8.GetString(via.Branch), cseq.Method));
        Span<char> key = stackalloc char[length];
        var n = Encoding.UTF8.GetChars(via.Branch, key);
        key[n++] = '|';
        n += Encoding.UTF8.GetChars(cseq.MethodBytes, key[n..]);
        return _clientsBySpan.TryGetValue(key[..n], out var tx) ? tx : null;
    }

    private SipClientTransaction? FindClientByRecords(SipResponse response)
    {
        var branch = response.TopVia?.Branch;
        var method = response.CSeq?.Method;
        return branch is null || method is null ? null : _clients.GetValueOrDefault(ClientKey(branch, method));
    }

    /// <summary>"branch|host:port|method" with the host lower-cased and no port when absent, as the key of a server transaction.</summary>
    private static string ServerKey(ReadOnlySpan<byte> branch, ReadOnlySpan<byte> host, int port, string method)
    {
        Span<char> digits = stackalloc char[6];
        var portLength = 0;
        if (port >= 0)
            port.TryFormat(digits, out portLength, provider: CultureInfo.InvariantCulture);
        var length = Encoding.UTF8.GetCharCount(branch) + 1 + host.Length + 1 + portLength + 1 + method.Length;
        var key = length <= 512 ? stackalloc char[length] : new char[length];
        var n = Encoding.UTF8.GetChars(branch, key);
        key[n++] = '|';
        var hostChars = key.Slice(n, Encoding.ASCII.GetChars(host, key[n..])); // host bytes are ASCII (host characters or an IPv6 reference)
        Ascii.ToLowerInPlace(hostChars, out _);
        n += hostChars.Length;
        key[n++] = ':';
        digits[..portLength].CopyTo(key[n..]);
        n += portLength;
        key[n++] = '|';
        method.CopyTo(key[n..]);
        return new string(key[..(n + method.Length)]);
    }

    public SipServerTransaction? FindServer(string key) => _servers.GetValueOrDefault(key);

    public InviteServerTransaction? FindInviteForAck(SipRequest ack) => _invitesByDialogKey.GetValueOrDefault(DialogKey(ack));

    public void Remove(SipTransaction tx)
    {
        switch (tx)
        {
            case SipClientTransaction c:
                if (_clients.TryGetValue(c.Key, out var existing) && ReferenceEquals(existing, c))
                    _clients.Remove(c.Key);
                break;
            case SipServerTransaction s:
                if (_servers.TryGetValue(s.Key, out var server) && ReferenceEquals(server, s))
                    _servers.Remove(s.Key);
                if (MergeKey(s.Request) is { } mergeKey && _byMergeKey.TryGetValue(mergeKey, out var merged) && ReferenceEquals(merged, s))
                    _byMergeKey.Remove(mergeKey);
                if (s is InviteServerTransaction i && _invitesByDialogKey.TryGetValue(DialogKey(i.Request), out var inv) && ReferenceEquals(inv, i))
                    _invitesByDialogKey.Remove(DialogKey(i.Request));
                break;
        }
    }

    public List<SipTransaction> All() => [.. _clients.Values, .. _servers.Values];

    public int Count => _clients.Count + _servers.Count;
}
