using System.Diagnostics;
using System.Globalization;
using Amber.Testing;

namespace Amber.Torture;

/// <summary>
/// The gateway on a full disk: `amber proxy` (<c>--ack durable</c> and <c>--ack async</c> in alternate trials) with its
/// archive on a small tmpfs (root: `mount -t tmpfs -o size=…`), calls made with room, then the disk filled to leave a
/// random amount under 96 KiB and more calls made, then the filler deleted and more calls made, in the same process and
/// after a restart. Documented behaviour (docs/RELIABILITY.md): the gateway refuses what it cannot preserve — a call
/// whose capture fails gets <c>503 amber_capture_failed</c> with the answer withheld, or a stream cut before its final
/// event — and never crashes. Losses: a call answered otherwise, a gateway that died, an acknowledged answer missing
/// or half there afterwards, or a gateway that does not preserve calls again once space is freed (it reopens its failed
/// writer in place; /readyz says when), nor after a restart.
/// </summary>
public static class GatewayFullDiskCampaign
{
    private const int CallsWithRoom = 6;
    private const int CallsWhenFull = 24;
    private const int CallsAfter = 6;

    public static Tally Run(CampaignSettings s) => RunAsync(s).GetAwaiter().GetResult();

    private static async Task<Tally> RunAsync(CampaignSettings s)
    {
        var tally = new Tally("full-disk-gateway");
        await using var upstream = await FakeUpstream.StartAsync().ConfigureAwait(false);
        var fake = upstream.Url.ToString().TrimEnd('/');
        var mount = Path.Combine(s.Work, "small-disk");
        Directory.CreateDirectory(mount);
        FullDiskCampaign.Mount(mount);
        var refused = 0;
        var resumedInProcess = 0;
        var full = 0;
        try
        {
            var rng = new Random(s.Seed);
            var clock = Stopwatch.StartNew();
            for (var trial = 0; trial < s.Trials && s.TimeLeft(clock); trial++)
            {
                tally.Trials++;
                FullDiskCampaign.Clear(mount);
                var ack = trial % 2 == 0 ? "durable" : "async";
                var dir = Path.Combine(mount, "archive");
                var filler = Path.Combine(mount, "filler");
                string[] args = ["--openai-upstream", fake, "--anthropic-upstream", fake, "--ack", ack];
                var calls = new List<GatewayCall>();
                bool inProcess;
                using (var server = await AmberServer.StartAsync(dir, "proxy", args, TimeSpan.FromMinutes(2)).ConfigureAwait(false))
                {
                    using var http = new HttpClient { BaseAddress = server.Url, Timeout = TimeSpan.FromMinutes(2) };
                    var room = await CallsAsync(http, CallsWithRoom, $"trial {trial} room", rng, calls).ConfigureAwait(false);
                    Expect(room, "with room", tally, trial);

                    FullDiskCampaign.Fill(filler, mount, free: rng.Next(0, 96 << 10));
                    var whenFull = await CallsAsync(http, CallsWhenFull, $"trial {trial} full", rng, calls).ConfigureAwait(false);
                    foreach (var call in whenFull.Where(c => !c.Acknowledged))
                    {
                        refused++;
                        Judge(call, tally, trial);
                    }

                    full += whenFull.Any(c => !c.Acknowledged) ? 1 : 0;

                    // Space is back. The gateway reopens a failed writer in place (GatewayOptions.WriterRetryInterval):
                    // once /readyz says ready again, this same process must preserve every call.
                    File.Delete(filler);
                    inProcess = await ReadyAgainAsync(http).ConfigureAwait(false);
                    if (!inProcess)
                    {
                        tally.Loss(trial, "the gateway did not become ready again within 60 s of space being freed");
                    }

                    var same = await CallsAsync(http, CallsAfter, $"trial {trial} freed", rng, calls).ConfigureAwait(false);
                    Expect(same, "after the space was freed, in the same process", tally, trial);

                    if (!server.Kill())
                    {
                        tally.Loss(trial, $"the gateway exited on a full disk: {server.Errors.Trim()}");
                    }
                }

                // A restarted gateway on the same archive (recovery cuts the torn tail) must preserve calls again.
                using (var again = await AmberServer.StartAsync(dir, "proxy", args, TimeSpan.FromMinutes(2)).ConfigureAwait(false))
                {
                    using var http = new HttpClient { BaseAddress = again.Url, Timeout = TimeSpan.FromMinutes(2) };
                    var after = await CallsAsync(http, CallsAfter, $"trial {trial} restarted", rng, calls).ConfigureAwait(false);
                    Expect(after, "after the space was freed and the gateway restarted", tally, trial);
                    again.Kill();
                }

                resumedInProcess += inProcess ? 1 : 0;
                if (ack == "async")
                {
                    await ServerKillCampaigns.DrainSpoolAsync(dir, args, tally, trial).ConfigureAwait(false);
                }

                ServerKillCampaigns.Audit(dir, calls, freeze: false, tally, trial);
                tally.Acknowledged += calls.Count(c => c.Acknowledged);
                s.Log.WriteLine($"full-disk-gateway trial {trial} ({ack}): {calls.Count(c => c.Acknowledged)} of {calls.Count} calls acknowledged");
            }
        }
        finally
        {
            FullDiskCampaign.Unmount(mount, tally);
        }

        tally.Detected = refused;
        tally.Notes.Add(string.Create(CultureInfo.InvariantCulture, $"{full} trial(s) ran out of space; {refused} call(s) refused on a full {FullDiskCampaign.SizeMiB} MiB tmpfs, each a 503 amber_capture_failed or a stream cut before its final event"));
        tally.Notes.Add(string.Create(CultureInfo.InvariantCulture, $"{resumedInProcess} of {tally.Trials} trial(s) were ready again in the same process once space was freed (every one must: a loss otherwise; so must a restarted gateway)"));
        return tally;
    }

    /// <summary>Polls /readyz until it says ready (the failed writer reopened in place), up to 60 s.</summary>
    private static async Task<bool> ReadyAgainAsync(HttpClient http)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            using var ready = await http.GetAsync(new Uri("/readyz", UriKind.Relative)).ConfigureAwait(false);
            if (ready.IsSuccessStatusCode)
            {
                return true;
            }

            await Task.Delay(250).ConfigureAwait(false);
        }

        return false;
    }

    private static async Task<List<GatewayCall>> CallsAsync(HttpClient http, int count, string tag, Random rng, List<GatewayCall> all)
    {
        string[] shapes = [GatewayCall.OpenAiChat, GatewayCall.OpenAiResponses, GatewayCall.Anthropic];
        var made = new List<GatewayCall>();
        for (var n = 0; n < count; n++)
        {
            var call = new GatewayCall(shapes[rng.Next(shapes.Length)], stream: rng.Next(2) == 0, $"torture {tag} call {n}");
            await call.RunAsync(http, localModel: null, CancellationToken.None).ConfigureAwait(false);
            made.Add(call);
        }

        all.AddRange(made);
        return made;
    }

    private static void Expect(List<GatewayCall> calls, string when, Tally tally, int trial)
    {
        foreach (var call in calls.Where(c => !c.Acknowledged))
        {
            tally.Loss(trial, $"{when}: {call.Describe} was not acknowledged (status {call.Status?.ToString(CultureInfo.InvariantCulture) ?? "none"}: {call.ErrorBody})");
        }
    }

    /// <summary>A call the gateway could not preserve must be refused as documented: 503 amber_capture_failed, or a stream cut before its final event.</summary>
    private static void Judge(GatewayCall call, Tally tally, int trial)
    {
        var documented = call.Status switch
        {
            503 => call.ErrorBody.Contains("amber_capture_failed", StringComparison.Ordinal),
            200 => call.Stream, // headers went out before the capture failed: the stream is cut instead
            null => call.Stream, // cut before even the headers reached the client: it sees a failed call, not an answer
            _ => false,
        };
        if (!documented)
        {
            tally.Loss(trial, $"on a full disk {call.Describe} got status {call.Status?.ToString(CultureInfo.InvariantCulture) ?? "none"} ({call.ErrorBody}), not the documented refusal");
        }
    }
}
