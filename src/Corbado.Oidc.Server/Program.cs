using Corbado.Oidc.Server.Admin;
using Corbado.Oidc.Server.Hosting;

if (AdminCommandLine.Handles(args))
{
    return await AdminCommandLine.RunAsync(args);
}

var builder = WebApplication.CreateBuilder(args);
builder.AddCorbadoOidcServer();

var app = builder.Build();
app.MapCorbadoOidcEndpoints();
return await app.RunCorbadoOidcServerAsync();

/// <summary>The entry point, public so the test host can start the server.</summary>
public partial class Program;
