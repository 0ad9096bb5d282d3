using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace Dialtone.Phone.Network;

/// <summary>
/// Tells when this machine's usable addresses changed (Wi-Fi to a hotspot, a new DHCP lease, a VPN):
/// the moment a phone must reconnect its SIP flow, register again and restart ICE. Listens to the
/// operating system's address events (netlink on Linux, through
/// <see cref="NetworkChange.NetworkAddressChanged"/>), lets a burst of them settle, and raises
/// <see cref="Changed"/> once per change of the address set — not for events that leave it as it was.
/// </summary>
public sealed class NetworkChangeMonitor : IDisposable
{
    private readonly TimeSpan _settle;
    private readonly ITimer _timer;
    private readonly object _gate = new();
    private IReadOnlySet<IPAddress> _addresses;
    private bool _disposed;

    /// <param name="settle">How long the address set must stay quiet before a change is reported (default 200 ms).</param>
    public NetworkChangeMonitor(TimeSpan? settle = null, TimeProvider? timeProvider = null)
    {
        _settle = settle ?? TimeSpan.FromMilliseconds(200);
        _addresses = CurrentAddresses();
        _timer = (timeProvider ?? TimeProvider.System).CreateTimer(_ => Settled(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        NetworkChange.NetworkAddressChanged += OnAddressChanged;
    }

    /// <summary>The addresses as last reported.</summary>
    public IReadOnlySet<IPAddress> Addresses
    {
        get
        {
            lock (_gate)
                return _addresses;
        }
    }

    /// <summary>Raised on a thread-pool thread after the address set changed and settled.</summary>
    public event EventHandler<NetworkChangedEventArgs>? Changed;

    /// <summary>Unicast addresses of interfaces that are up, without loopback and IPv6 link-local ones.</summary>
    public static IReadOnlySet<IPAddress> CurrentAddresses()
    {
        var set = new HashSet<IPAddress>();
        foreach (var nic in NetworkInterface.GetAllNetworkInterfaces())
        {
            if (nic.OperationalStatus is not (OperationalStatus.Up or OperationalStatus.Unknown) || nic.NetworkInterfaceType == NetworkInterfaceType.Loopback)
                continue;
            foreach (var unicast in nic.GetIPProperties().UnicastAddresses)
            {
                var address = unicast.Address;
                if (IPAddress.IsLoopback(address) || (address.AddressFamily == AddressFamily.InterNetworkV6 && address.IsIPv6LinkLocal))
                    continue;
                set.Add(address);
            }
        }
        return set;
    }

    private void OnAddressChanged(object? sender, EventArgs e)
    {
        lock (_gate)
        {
            if (!_disposed)
                _timer.Change(_settle, Timeout.InfiniteTimeSpan);
        }
    }

    private void Settled()
    {
        IReadOnlySet<IPAddress> before, after = CurrentAddresses();
        lock (_gate)
        {
            if (_disposed || after.SetEquals(_addresses))
                return;
            before = _addresses;
            _addresses = after;
        }
        Changed?.Invoke(this, new NetworkChangedEventArgs(before, after));
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
                return;
            _disposed = true;
        }
        NetworkChange.NetworkAddressChanged -= OnAddressChanged;
        _timer.Dispose();
    }
}

/// <summary>The usable addresses before and after a change.</summary>
public sealed class NetworkChangedEventArgs(IReadOnlySet<IPAddress> before, IReadOnlySet<IPAddress> after) : EventArgs
{
    public IReadOnlySet<IPAddress> Before { get; } = before;

    public IReadOnlySet<IPAddress> After { get; } = after;

    /// <summary>Addresses that went away: flows bound to them are dead.</summary>
    public IEnumerable<IPAddress> Lost => Before.Except(After);

    public IEnumerable<IPAddress> Gained => After.Except(Before);
}
