using System.Net;
using System.Net.Sockets;

namespace Dialtone.Sip.IntegrationTests.Infrastructure;

/// <summary>
/// Ports that are free for both TCP and UDP on 127.0.0.1 right now, for a child process (Kamailio,
/// sipp, baresip) to bind a moment later — or again after a restart.
/// <para>
/// Chosen at random just below the kernel's ephemeral range (ip_local_port_range), and checked by
/// binding them: the kernel never hands out a port there on its own, so between our check and the
/// child's bind no socket of this machine (another test run's bind(0), or any outgoing connection)
/// can take it, which a port taken from bind(0) and released cannot promise when two test runs share
/// the machine. No port is handed out twice by one process, nor by two test processes alive at once
/// (each holds an exclusive lock on /tmp/dialtone-ports/PORT until it exits: the random picks of two
/// concurrent runs could otherwise meet, and both find the port free before either child binds it).
/// Falls back to bind(0) if none is found.
/// </para>
/// </summary>
internal static class FreePorts
{
    private static readonly HashSet<int> Given = [];
    private static readonly List<FileStream> Reservations = [];
    internal static readonly string ReservationDir = Path.Combine(Path.GetTempPath(), "dialtone-ports");
    private static readonly (int Low, int High) Range = BelowEphemeral();

    public static int Next()
    {
        lock (Given)
        {
            for (var attempt = 0; attempt < 200; attempt++)
            {
                var port = attempt < 150 ? Random.Shared.Next(Range.Low, Range.High) : OsAssigned();
                if (Given.Contains(port) || Reserve(port) is not { } reservation)
                    continue;
                if (FreeForBoth(port))
                {
                    Reservations.Add(reservation);
                    Given.Add(port);
                    return port;
                }
                reservation.Dispose();
            }
        }
        throw new InvalidOperationException("no free port found");
    }

    /// <summary>
    /// Takes the machine-wide lock for <paramref name="port"/>, held until this process exits (.NET's
    /// FileShare.None is an flock on Linux, released by the kernel even if the process is killed).
    /// </summary>
    internal static FileStream? Reserve(int port)
    {
        try
        {
            if (!Directory.Exists(ReservationDir))
            {
                Directory.CreateDirectory(ReservationDir);
                TryShareWithEveryone(ReservationDir);
            }
            var path = Path.Combine(ReservationDir, port.ToString(System.Globalization.CultureInfo.InvariantCulture));
            return new FileStream(path, FileMode.OpenOrCreate, FileAccess.Read, FileShare.None);
        }
        catch (IOException)
        {
            return null; // another live test process holds this port
        }
        catch (UnauthorizedAccessException)
        {
            return null; // another user's lock file we cannot open: leave that port alone
        }
    }

    private static void TryShareWithEveryone(string dir)
    {
        try
        {
            if (!OperatingSystem.IsWindows())
                File.SetUnixFileMode(dir, (UnixFileMode)0x3FF); // 1777, like /tmp: another user's run may lock here too
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // created by another user a moment ago: theirs to set
        }
    }

    private static bool FreeForBoth(int port)
    {
        try
        {
            using var tcp = new TcpListener(IPAddress.Loopback, port);
            tcp.Start();
            using var udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, port));
            return true;
        }
        catch (SocketException)
        {
            return false; // taken for TCP or UDP
        }
    }

    private static int OsAssigned()
    {
        using var tcp = new TcpListener(IPAddress.Loopback, 0);
        tcp.Start();
        return ((IPEndPoint)tcp.LocalEndpoint).Port;
    }

    /// <summary>Up to 10,000 ports below the ephemeral range (Linux default 32768–60999), never below 10000.</summary>
    private static (int Low, int High) BelowEphemeral()
    {
        var ephemeralLow = 32768;
        try
        {
            var text = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[])['\t', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries);
            if (text.Length > 0 && int.TryParse(text[0], out var low))
                ephemeralLow = low;
        }
        catch (IOException)
        {
            // not Linux: keep the default
        }
        catch (UnauthorizedAccessException)
        {
        }
        return ephemeralLow > 11000 ? (Math.Max(10000, ephemeralLow - 10000), ephemeralLow) : (ephemeralLow, ephemeralLow + 1);
    }
}
