using Amber.Storage;
using Amber.Viewer.Receipts;
using Amber.Viewer.Rendering;
using Amber.Viewer.Security;
using Microsoft.AspNetCore.Http;

namespace Amber.Viewer.Pages;

/// <summary>A receipt, verified against the log's current checkpoint, with its text and a download link.</summary>
public static class ReceiptPage
{
    public static IResult Render(TenantView scope, string id)
    {
        ArgumentNullException.ThrowIfNull(scope);
        var archive = scope.Archive;
        var check = ReceiptCheck.For(scope, id);
        if (check.Receipt is null)
        {
            return PageLayout.NotFound("No receipt: " + check.Failure);
        }

        return PageLayout.Page("Receipt", w =>
        {
            w.Element("h1", "Receipt");
            w.Element("p", check.Valid
                ? $"Verified: log entry {check.Index} is included in the latest checkpoint ({check.CheckpointSize} entries) of {check.Origin}, signed by the archive's key."
                : "NOT verified: " + check.Failure, ("class", check.Valid ? "ok" : "bad"), ("id", "receipt-status"));
            using (w.Tag("p"))
            {
                w.Link(Urls.ReceiptDownload(id), "Download (c2sp.org/tlog-proof@v1)", ("id", "receipt-download"), ("download", ""));
                w.Text(" · check it offline with ");
                w.Element("code", "amber log verify-receipt FILE --vkey \"$(amber log vkey)\"");
            }

            w.Element("h2", "Verifier key");
            w.Element("pre", archive.Log.VerifierKey.ToString());
            w.Element("h2", "Receipt text");
            w.Element("pre", check.Receipt.Format(), ("class", "receipt-text"));
        });
    }
}
