using Corbado.Oidc.Server.Admin;

namespace Corbado.Oidc.Server.Endpoints;

/// <summary>Development only: the landing page of the demo client, which shows the authorization response.</summary>
public static class DevelopmentEndpoints
{
    public static IEndpointRouteBuilder MapDevelopmentEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet(DevelopmentDemoClient.CallbackPath, (HttpRequest request) =>
        {
            var lines = request.Query.Select(pair => $"{pair.Key} = {pair.Value}");
            return Results.Text(
                "Authorization response received by the demo client (Development only):\n\n" + string.Join('\n', lines)
                + "\n\nExchange the code at /token as the README shows.\n",
                "text/plain; charset=utf-8");
        });
        return endpoints;
    }
}
