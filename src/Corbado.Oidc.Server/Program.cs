using Corbado.Oidc.Server.Admin;
using Corbado.Oidc.Server.Hosting;

if (AdminCommandLine.Handles(args))
{
    return await AdminCommandLine.RunAsync(args);
}

var builder = WebApplication.CreateBuilder(args);
builder.AddCorbadoOidcServer();

// The endpoints read the configuration while they are mapped, so they are mapped after it has been validated.
var app = builder.Build();
return await app.RunCorbadoOidcServerAsync(mapEndpoints: static app => app.MapCorbadoOidcEndpoints());

/// <summary>The entry point, public so the test host can start the server.</summary>
public partial class Program;
