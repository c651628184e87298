using System.Net;
using System.Net.Sockets;

namespace Corbado.Oidc.EndToEnd.Tests;

internal static class LoopbackPorts
{
    /// <summary>A currently free port on 127.0.0.1.</summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
