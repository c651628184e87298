using System.Net;
using System.Net.Sockets;

namespace Corbado.Oidc.Testing;

/// <summary>Ports for servers that tests and the benchmark start; everything listens on 127.0.0.1 only.</summary>
public static class LoopbackPorts
{
    /// <summary>A currently free port on 127.0.0.1.</summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
