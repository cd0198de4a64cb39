using System.CommandLine;
using Amber.Cli.Infrastructure;

namespace Amber.Cli.Commands.Log;

internal static class LogCommandDefinition
{
    public static Command Create(Func<ParseResult, CliEnvironment> env)
    {
        var vkey = new Command("vkey", "Print the log's verifier key (a C2SP signed-note vkey line)");
        vkey.SetAction(p => Vkey.LogVkeyCommand.Run(env(p)));

        var checkpoint = new Command("checkpoint", "Print the latest signed checkpoint (a C2SP tlog-checkpoint signed note)");
        checkpoint.SetAction(p => Checkpoint.LogCheckpointCommand.Run(env(p)));

        var id = new Argument<string>("ID") { Description = "An instance (leaf node) id or a conversation id; a unique prefix is enough" };
        var output = new Option<string?>("-o", "--output") { Description = "Write the receipt to this file instead of standard output" };
        var proof = new Command("proof", "Print the c2sp.org/tlog-proof@v1 receipt proving an instance is in the log") { id, output };
        proof.SetAction(p => Proof.LogProofCommand.Run(env(p), p.GetValue(id)!, p.GetValue(output)));

        var file = new Argument<string>("FILE") { Description = "A receipt (.tlog-proof) file" };
        var key = new Option<string>("--vkey") { Description = "The log's verifier key line, or a file holding it", Required = true };
        var expect = new Option<string?>("--id") { Description = "Also check that the entry names this instance (leaf) or conversation id" };
        var verifyReceipt = new Command("verify-receipt", "Check a receipt offline, without the archive") { file, key, expect, CommonOptions.Json };
        verifyReceipt.SetAction(p => VerifyReceipt.LogVerifyReceiptCommand.Run(env(p), p.GetValue(file)!, p.GetValue(key)!, p.GetValue(expect), p.GetValue(CommonOptions.Json)));

        var old = new Option<string>("--old") { Description = "A signed checkpoint kept from earlier", Required = true };
        var check = new Option<bool>("--verify") { Description = "Check the proof between the old checkpoint and the latest one instead of printing it" };
        var consistency = new Command("consistency", "Print the consistency proof from an older checkpoint to the latest (base64 hashes, one a line)") { old, check };
        consistency.SetAction(p => Consistency.LogConsistencyCommand.Run(env(p), p.GetValue(old)!, p.GetValue(check)));

        return new Command("log", "The transparency log: keys, checkpoints, receipts, consistency") { vkey, checkpoint, proof, verifyReceipt, consistency };
    }
}
