using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text;

namespace Amber.Benchmarks;

/// <summary>
/// An open-loop load: request i is due at start + i / rate whether or not earlier ones have answered, and its
/// latency runs from that due time to the last byte of the answer, so a stall is charged to every request it
/// delayed (corrected for coordinated omission, like wrk2). Each request is sent on its own task over a
/// connection pool without a limit, so a slow answer never holds the next request back.
/// </summary>
public sealed class OpenLoop : IDisposable
{
    private readonly HttpClient client = new(new SocketsHttpHandler
    {
        UseProxy = false,
        UseCookies = false,
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.None,
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
    })
    { Timeout = TimeSpan.FromSeconds(60) };

    public sealed record Result(LatencyStats Latency, int Requests, int Failures, double Seconds);

    /// <summary>Sends <paramref name="rate"/> × <paramref name="seconds"/> requests; <paramref name="body"/> gives the i-th request's JSON.</summary>
    public Result Run(string url, IReadOnlyDictionary<string, string> headers, Func<int, string> body, int rate, int seconds)
    {
        var count = rate * seconds;
        var latencies = new ConcurrentQueue<double>();
        var failures = 0;
        var tasks = new List<Task>(count);
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            var due = i * 1000.0 / rate;
            var wait = due - clock.Elapsed.TotalMilliseconds;
            if (wait > 1.5)
            {
                Thread.Sleep(TimeSpan.FromMilliseconds(wait - 1));
            }

            while (clock.Elapsed.TotalMilliseconds < due)
            {
                Thread.Yield();
            }

            var content = body(i);
            tasks.Add(Task.Run(async () =>
            {
                try
                {
                    using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(content, Encoding.UTF8, "application/json") };
                    foreach (var (name, value) in headers)
                    {
                        request.Headers.TryAddWithoutValidation(name, value);
                    }

                    using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead).ConfigureAwait(false);
                    await using var stream = await response.Content.ReadAsStreamAsync().ConfigureAwait(false);
                    await stream.CopyToAsync(Stream.Null).ConfigureAwait(false);
                    if (!response.IsSuccessStatusCode)
                    {
                        Interlocked.Increment(ref failures);
                        return;
                    }
                }
                catch (Exception e) when (e is HttpRequestException or IOException or TaskCanceledException)
                {
                    Interlocked.Increment(ref failures);
                    return;
                }

                latencies.Enqueue(clock.Elapsed.TotalMilliseconds - due);
            }));
        }

        Task.WaitAll(tasks);
        var elapsed = clock.Elapsed.TotalSeconds;
        return new Result(latencies.IsEmpty ? new LatencyStats(0, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, 0) : LatencyStats.Of(latencies), count, failures, elapsed);
    }

    public void Dispose() => client.Dispose();
}
