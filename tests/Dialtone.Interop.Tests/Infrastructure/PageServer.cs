using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Dialtone.Interop.Tests.Infrastructure;

/// <summary>
/// Serves the softphone page on http://127.0.0.1:PORT/ — a secure context, which getUserMedia
/// needs (about:blank and file:// are not). Only the page's own files, nothing else from disk.
/// </summary>
internal sealed class PageServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private PageServer(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    public Uri Address { get; }

    public static async Task<PageServer> StartAsync()
    {
        if (!File.Exists(InteropPaths.JsSipBundle))
            throw new InvalidOperationException(
                $"{InteropPaths.JsSipBundle} is missing: run tests/infra/install-browser.sh (npm ci and the JsSIP bundle).");
        var files = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["/"] = Path.Combine(InteropPaths.Page, "index.html"),
            ["/listener.js"] = Path.Combine(InteropPaths.Page, "listener.js"),
            ["/listener-worklet.js"] = Path.Combine(InteropPaths.Page, "listener-worklet.js"),
            ["/softphone.js"] = Path.Combine(InteropPaths.Page, "softphone.js"),
            ["/jssip.js"] = InteropPaths.JsSipBundle,
        };

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        app.Run(async context =>
        {
            if (!files.TryGetValue(context.Request.Path.Value ?? "", out var file))
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return;
            }
            context.Response.ContentType = file.EndsWith(".html", StringComparison.Ordinal) ? "text/html; charset=utf-8" : "text/javascript; charset=utf-8";
            context.Response.Headers.CacheControl = "no-store";
            await context.Response.SendFileAsync(file);
        });
        await app.StartAsync();
        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new PageServer(app, new Uri(bound));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
