using System.CommandLine;
using Amber.Cli.Infrastructure;

namespace Amber.Cli.Commands.Cost;

internal static class CostCommandDefinition
{
    public static Command Create(Func<ParseResult, CliEnvironment> env)
    {
        var tenant = new Option<string?>("--tenant") { HelpName = "TENANT", Description = "Only this tenant (a tenant:… hash, or \"(no tenant)\" for imports, revivals and calls without a credential)" };
        var month = new Option<string?>("--month") { HelpName = "YYYY-MM", Description = "Only this month, YYYY-MM" };
        var command = new Command("cost", "Inference spend per tenant, model and month at list prices, what keeping the archive costs, and the ratio against the 0.1 % budget")
        {
            CommonOptions.Json,
            tenant,
            month,
            new Option<string?>("--prices") { HelpName = "FILE", Description = "JSON file of prices that replace or add to amber's dated table: {\"as_of\":\"YYYY-MM-DD\",\"models\":[{\"model\",\"input_usd_per_million\",\"output_usd_per_million\",\"source\"}]}" },
            new Option<string?>("--storage-usd-per-gb-month") { HelpName = "USD", Description = "Storage price in USD per GB-month, 1 GB = 2^30 bytes (default 0.023, S3 Standard; Glacier Deep Archive is 0.00099)" },
            new Option<string?>("--replicas") { HelpName = "N", Description = "Copies of the archive kept (default 3)" },
            new Option<string?>("--horizon-years") { HelpName = "YEARS", Description = "Years the archive is kept (default 10)" },
        };
        command.SetAction(parse => CostCommand.Run(env(parse), parse.GetValue(CommonOptions.Json), parse.GetValue(tenant), parse.GetValue(month)));
        return command;
    }
}
