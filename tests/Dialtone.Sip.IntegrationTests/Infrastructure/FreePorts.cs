using System.Net;
using System.Net.Sockets;

namespace Dialtone.Sip.IntegrationTests.Infrastructure;

/// <summary>Ports that are free for both TCP and UDP on 127.0.0.1 right now.</summary>
internal static class FreePorts
{
    public static int Next()
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            using var tcp = new TcpListener(IPAddress.Loopback, 0);
            tcp.Start();
            var port = ((IPEndPoint)tcp.LocalEndpoint).Port;
            try
            {
                using var udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, port));
                return port;
            }
            catch (SocketException)
            {
                // taken for UDP; try another
            }
        }
        throw new InvalidOperationException("no free port found");
    }
}
