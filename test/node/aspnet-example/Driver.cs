// Drives the ASP.NET example's own code (examples/aspnet/*.cs, compiled with it under Mono by
// test/support/aspnet-example.ts): one request per line on stdin, one answer per line on stdout.
// Everything that may hold arbitrary bytes travels as base64, fields are tab-separated.
//
//   verify  <secrets setting> <body> <webhook-id> <webhook-timestamp> <webhook-signature> <now>
//           -> "ok" | "fail <status> <reason>" | "error <exception type>"
//   parse   <content-type> <body>  -> "fields <key>:<value> ..." (UTF-8, base64) | "unknown-charset" | "decode-error"
//   read    <content-type> <body>  -> the handler's step 2 (AlipayForm.ReadFields): "fields ..." | "fail <status> <reason>"
//   paid    <utf-8 form body>      -> "true" | "false"
//   classify <utf-8 form body>     -> OrderStore.Classify: "Paid" | "RecordOnly" | "MissingOrderNumber" | "UnknownTradeStatus"
//   answer  <utf-8 form body>      -> what the handler answers when OrderStore.Record decides without
//                                     the database ("<status> <text>"), or "database" when Record goes
//                                     on to open it (there it would store the webhook-id)
//   outcome <RecordOutcome name>   -> "<status> <text>" (AlipayNotifyHandler.AnswerFor)
//   amount  <text>                 -> "ok <amount>" | "invalid"
//   status-sig <secret> <app_id> <out_trade_no> <exp>                    -> lowercase hex
//   order-sig  <secret> <app_id> <out_trade_no> <total_amount> <expire>  -> lowercase hex
using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using AlipayNotify;

public static class ExampleDriver
{
    private static string Text(string base64)
    {
        return Encoding.UTF8.GetString(Convert.FromBase64String(base64));
    }

    private static string B64(string text)
    {
        return Convert.ToBase64String(Encoding.UTF8.GetBytes(text));
    }

    private static string Answer(string[] f)
    {
        switch (f[0])
        {
            case "verify":
            {
                WebhookCheck check = StandardWebhook.Verify(
                    Convert.FromBase64String(f[2]), Text(f[3]), Text(f[4]), Text(f[5]),
                    StandardWebhook.ParseSecrets(Text(f[1])), long.Parse(f[6], CultureInfo.InvariantCulture));
                return check.Ok ? "ok" : "fail " + check.Status + " " + check.Reason;
            }
            case "parse":
            {
                Encoding encoding = AlipayForm.EncodingFromContentType(Text(f[1]));
                if (encoding == null) return "unknown-charset";
                Dictionary<string, string> fields;
                try
                {
                    fields = AlipayForm.Parse(Convert.FromBase64String(f[2]), encoding);
                }
                catch (DecoderFallbackException)
                {
                    return "decode-error";
                }
                return FieldsAnswer(fields);
            }
            case "read":
            {
                Dictionary<string, string> fields;
                WebhookCheck check = AlipayForm.ReadFields(Text(f[1]), Convert.FromBase64String(f[2]), out fields);
                return check.Ok ? FieldsAnswer(fields) : "fail " + check.Status + " " + check.Reason;
            }
            case "paid":
                return AlipayOrderStorePaid(Convert.FromBase64String(f[1])) ? "true" : "false";
            case "classify":
                return OrderStore.Classify(AlipayForm.Parse(Convert.FromBase64String(f[1]), Encoding.UTF8)).ToString();
            case "answer":
            {
                RecordOutcome outcome;
                try
                {
                    // No connection string: opening the connection throws, so only what Record
                    // decides before touching the database comes back as an outcome.
                    outcome = OrderStore.Record("", "msg_driver", AlipayForm.Parse(Convert.FromBase64String(f[1]), Encoding.UTF8));
                }
                catch (InvalidOperationException)
                {
                    return "database";
                }
                return Reply(outcome);
            }
            case "outcome":
                return Reply((RecordOutcome)Enum.Parse(typeof(RecordOutcome), f[1]));
            case "amount":
            {
                decimal amount;
                return OrderStore.TryParseAmount(Text(f[1]), out amount) ? "ok " + amount.ToString(CultureInfo.InvariantCulture) : "invalid";
            }
            case "status-sig":
                return AlipayStatusWidget.Sign(Text(f[1]), Text(f[2]), Text(f[3]), long.Parse(f[4], CultureInfo.InvariantCulture));
            case "order-sig":
                return AlipayOrderRegistration.Sign(Text(f[1]), Text(f[2]), Text(f[3]), Text(f[4]), long.Parse(f[5], CultureInfo.InvariantCulture));
            default:
                return "error unknown-command";
        }
    }

    private static string FieldsAnswer(Dictionary<string, string> fields)
    {
        List<string> pairs = new List<string>();
        foreach (KeyValuePair<string, string> pair in fields) pairs.Add(B64(pair.Key) + ":" + B64(pair.Value));
        return "fields " + string.Join(" ", pairs.ToArray());
    }

    private static string Reply(RecordOutcome outcome)
    {
        string text;
        int status = AlipayNotifyHandler.AnswerFor(outcome, out text);
        return status + " " + text;
    }

    private static bool AlipayOrderStorePaid(byte[] body)
    {
        return OrderStore.IsPaid(AlipayForm.Parse(body, Encoding.UTF8));
    }

    public static int Main()
    {
        string line;
        while ((line = Console.In.ReadLine()) != null)
        {
            string answer;
            try
            {
                answer = Answer(line.Split('\t'));
            }
            catch (Exception e)
            {
                answer = "error " + e.GetType().Name;
            }
            Console.Out.WriteLine(answer);
        }
        return 0;
    }
}
