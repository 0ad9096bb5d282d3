using System.Net;

namespace Dialtone.Sip.Resolution;

/// <summary>
/// Names answered without DNS, as the operating system's resolver does: <c>localhost</c> and
/// <c>*.localhost</c> are the loopback addresses (RFC 6761 §6.3), and a name in the hosts file
/// has the addresses listed there. Such a name has no NAPTR or SRV records to look up.
/// </summary>
internal static class LocalNames
{
    /// <summary>The platform's hosts file.</summary>
    public static string DefaultHostsFile => OperatingSystem.IsWindows()
        ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.System), "drivers", "etc", "hosts")
        : "/etc/hosts";

    /// <summary>The addresses of a local name, IPv4 first unless <paramref name="preferIPv6"/>; empty when the name is not local.</summary>
    public static List<IPAddress> Lookup(string host, string? hostsFile, bool preferIPv6)
    {
        var name = host.TrimEnd('.');
        List<IPAddress> found;
        if (name.Equals("localhost", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase))
            found = [IPAddress.Loopback, IPAddress.IPv6Loopback];
        else
            found = hostsFile is null ? [] : FromHostsFile(name, hostsFile);
        return [.. found.OrderBy(a => (a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6) != preferIPv6)];
    }

    /// <summary>
    /// Reads the hosts file each time (it is small, and edits take effect at once): lines of
    /// "address name [aliases…]", '#' starts a comment. An unreadable file counts as empty.
    /// </summary>
    private static List<IPAddress> FromHostsFile(string name, string path)
    {
        var result = new List<IPAddress>();
        IEnumerable<string> lines;
        try
        {
            lines = File.ReadLines(path);
            foreach (var raw in lines)
            {
                var line = raw.AsSpan();
                var hash = line.IndexOf('#');
                if (hash >= 0)
                    line = line[..hash];
                var fields = line.ToString().Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length < 2 || !IPAddress.TryParse(fields[0], out var address))
                    continue;
                if (fields.Skip(1).Any(f => f.Equals(name, StringComparison.OrdinalIgnoreCase)) && !result.Contains(address))
                    result.Add(address);
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
        return result;
    }
}
