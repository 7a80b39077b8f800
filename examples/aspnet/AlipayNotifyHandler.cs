// ASP.NET (.NET Framework 4.x) receiver for alipay-notify-edge.
//
// The gateway verified Alipay's RSA signature already. It POSTs each paid order here once,
// signed with the Standard Webhooks scheme; this handler checks that signature over the exact
// body bytes, checks the timestamp (5 minutes either way) and that the webhook-id fits its
// column, credits the order once per webhook-id in one database transaction, and answers exactly
// "success". It reads Alipay's original form (FORWARD_FORMAT=form, the default): any other body
// is refused with 415.
//
// Written in C# 5 (no ?. or $"" strings) so the default compiler of an old Web Site compiles
// it; DateTimeOffset.ToUnixTimeSeconds and CryptographicOperations.FixedTimeEquals are avoided
// because they need .NET 4.6 and .NET Core respectively.
//
// web.config:
//   <appSettings>
//     <add key="AlipayEdge.WebhookSecrets" value="whsec_..." />   (space-separated while rotating)
//   </appSettings>
//   <connectionStrings>
//     <add name="Shop" connectionString="..." providerName="System.Data.SqlClient" />
//   </connectionStrings>
using System;
using System.Collections.Generic;
using System.Configuration;
using System.Data;
using System.Data.SqlClient;
using System.Globalization;
using System.IO;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Web;

namespace AlipayNotify
{
    public class AlipayNotifyHandler : IHttpHandler
    {
        // An Alipay notification is a few KiB; refuse anything far larger before reading it.
        private const int MaxBodyBytes = 64 * 1024;

        public bool IsReusable
        {
            get { return true; }
        }

        public void ProcessRequest(HttpContext context)
        {
            HttpRequest request = context.Request;
            HttpResponse response = context.Response;

            if (request.HttpMethod != "POST")
            {
                Reply(response, 405, "method-not-allowed");
                return;
            }
            byte[] body = ReadBody(request.InputStream, MaxBodyBytes);
            if (body == null)
            {
                Reply(response, 413, "body-too-large");
                return;
            }

            // 1. The signature covers the exact bytes: verify BEFORE looking at any field.
            IList<byte[]> keys = StandardWebhook.ParseSecrets(ConfigurationManager.AppSettings["AlipayEdge.WebhookSecrets"]);
            if (keys.Count == 0)
            {
                Reply(response, 500, "webhook-secret-not-configured");
                return;
            }
            string webhookId = request.Headers["webhook-id"];
            WebhookCheck check = StandardWebhook.Verify(
                body,
                webhookId,
                request.Headers["webhook-timestamp"],
                request.Headers["webhook-signature"],
                keys,
                StandardWebhook.UnixNow());
            if (!check.Ok)
            {
                Reply(response, check.Status, check.Reason);
                return;
            }

            // 2. Fields, decoded with the charset Alipay signed (the gateway puts it in Content-Type).
            //    Request.Form would decode the same way, but parsing the verified bytes guarantees the
            //    fields are exactly the ones the signature covered (and skips request validation,
            //    which can reject legitimate Alipay values such as a subject containing '<').
            Dictionary<string, string> fields;
            WebhookCheck form = AlipayForm.ReadFields(request.ContentType, body, out fields);
            if (!form.Ok)
            {
                Reply(response, form.Status, form.Reason);
                return;
            }

            // 3. Credit once, keyed by webhook-id, in one transaction with the order update.
            //    A notification this page cannot judge (no out_trade_no, an unknown trade_status)
            //    is refused before the database: nothing is stored, so it is not lost.
            ConnectionStringSettings shop = ConfigurationManager.ConnectionStrings["Shop"];
            if (shop == null)
            {
                Reply(response, 500, "connection-string-not-configured");
                return;
            }
            string connectionString = shop.ConnectionString;
            RecordOutcome outcome = OrderStore.Record(connectionString, webhookId, fields);
            string text;
            int status = AnswerFor(outcome, out text);
            Reply(response, status, text);
        }

        /// <summary>
        /// The status and text the gateway gets for an outcome. "success" only when the webhook-id
        /// is committed; anything else makes the gateway retry, then dead-letter the event for a
        /// person to look at (and redeliver once the problem is fixed).
        /// </summary>
        public static int AnswerFor(RecordOutcome outcome, out string text)
        {
            switch (outcome)
            {
                case RecordOutcome.Credited:
                case RecordOutcome.AlreadyProcessed:
                case RecordOutcome.AlreadyPaid:
                case RecordOutcome.RecordedOnly:
                    text = "success";
                    return 200;
                case RecordOutcome.BadAmount:
                    text = "bad-amount";
                    return 400;
                case RecordOutcome.MissingOrderNumber:
                    text = "missing-out-trade-no";
                    return 422;
                case RecordOutcome.UnknownTradeStatus:
                    // Never "success" for what this page does not understand: a payment answered
                    // and not credited would be lost without anyone seeing it.
                    text = "unknown-trade-status";
                    return 422;
                case RecordOutcome.UnknownOrder:
                    text = "unknown-order";
                    return 422;
                case RecordOutcome.AmountMismatch:
                    text = "amount-mismatch";
                    return 422;
                default:
                    text = "order-not-payable";
                    return 409;
            }
        }

        private static byte[] ReadBody(Stream input, int limit)
        {
            using (MemoryStream buffer = new MemoryStream())
            {
                byte[] chunk = new byte[8192];
                int read;
                while ((read = input.Read(chunk, 0, chunk.Length)) > 0)
                {
                    if (buffer.Length + read > limit) return null;
                    buffer.Write(chunk, 0, read);
                }
                return buffer.ToArray();
            }
        }

        private static void Reply(HttpResponse response, int status, string text)
        {
            response.Clear();
            response.StatusCode = status;
            response.TrySkipIisCustomErrors = true; // keep our short reason instead of an IIS error page
            response.ContentType = "text/plain";
            response.Write(text); // exactly these bytes: no BOM, no HTML, no newline
        }
    }

    public sealed class WebhookCheck
    {
        public bool Ok;
        public int Status;
        public string Reason;

        public static WebhookCheck Pass()
        {
            return new WebhookCheck { Ok = true, Status = 200, Reason = "ok" };
        }

        public static WebhookCheck Fail(int status, string reason)
        {
            return new WebhookCheck { Ok = false, Status = status, Reason = reason };
        }
    }

    /// <summary>
    /// Standard Webhooks verification (https://www.standardwebhooks.com), v1 signatures.
    /// Failures answer 403, not 401: Forms authentication turns a 401 into a redirect to the login page.
    /// </summary>
    public static class StandardWebhook
    {
        public const int ToleranceSeconds = 5 * 60;
        private const string SecretPrefix = "whsec_";

        /// <summary>
        /// The width of processed_webhooks.webhook_id, VARCHAR(64) (../classic-asp/schema.sql). The
        /// gateway's ids are msg_ + 32 hex characters (36); the Standard Webhooks libraries set no
        /// limit, but the column does.
        /// </summary>
        public const int MaxIdLength = 64;

        /// <summary>"whsec_A whsec_B" -> HMAC keys (the base64-decoded part after whsec_).</summary>
        public static IList<byte[]> ParseSecrets(string setting)
        {
            List<byte[]> keys = new List<byte[]>();
            if (string.IsNullOrEmpty(setting)) return keys;
            foreach (string entry in setting.Split(new[] { ' ', '\t', '\r', '\n' }, StringSplitOptions.RemoveEmptyEntries))
            {
                if (!entry.StartsWith(SecretPrefix, StringComparison.Ordinal))
                    throw new ConfigurationErrorsException("AlipayEdge.WebhookSecrets: every secret starts with whsec_");
                keys.Add(Convert.FromBase64String(entry.Substring(SecretPrefix.Length)));
            }
            return keys;
        }

        public static long UnixNow()
        {
            return (long)(DateTime.UtcNow - new DateTime(1970, 1, 1, 0, 0, 0, DateTimeKind.Utc)).TotalSeconds;
        }

        public static WebhookCheck Verify(byte[] body, string id, string timestamp, string signatureHeader, IList<byte[]> keys, long nowUnix)
        {
            if (string.IsNullOrEmpty(id) || string.IsNullOrEmpty(timestamp) || string.IsNullOrEmpty(signatureHeader))
                return WebhookCheck.Fail(400, "missing-webhook-headers");
            if (!IdFitsStorage(id)) return WebhookCheck.Fail(400, "bad-webhook-id");
            long sentAt;
            if (timestamp.Length > 15 || !long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out sentAt))
                return WebhookCheck.Fail(400, "bad-timestamp");
            // Refuse old and future timestamps: a captured request cannot be replayed later.
            if (nowUnix - sentAt > ToleranceSeconds) return WebhookCheck.Fail(403, "timestamp-too-old");
            if (sentAt - nowUnix > ToleranceSeconds) return WebhookCheck.Fail(403, "timestamp-too-new");

            // Signed content: "<id>.<timestamp>.<body bytes>", the body untouched (it may be GBK).
            byte[] prefix = Encoding.UTF8.GetBytes(id + "." + timestamp + ".");
            byte[] signedContent = new byte[prefix.Length + body.Length];
            Buffer.BlockCopy(prefix, 0, signedContent, 0, prefix.Length);
            Buffer.BlockCopy(body, 0, signedContent, prefix.Length, body.Length);

            List<byte[]> offered = new List<byte[]>();
            foreach (string entry in signatureHeader.Split(new[] { ' ' }, StringSplitOptions.RemoveEmptyEntries))
            {
                if (!entry.StartsWith("v1,", StringComparison.Ordinal)) continue;
                try
                {
                    offered.Add(Convert.FromBase64String(entry.Substring(3)));
                }
                catch (FormatException)
                {
                    // not base64: cannot match, ignore this entry
                }
            }

            bool match = false;
            foreach (byte[] key in keys)
            {
                byte[] expected;
                using (HMACSHA256 hmac = new HMACSHA256(key))
                {
                    expected = hmac.ComputeHash(signedContent);
                }
                // Every entry is compared in full; no early exit that could leak timing.
                foreach (byte[] candidate in offered)
                {
                    if (FixedTimeEquals(expected, candidate)) match = true;
                }
            }
            return match ? WebhookCheck.Pass() : WebhookCheck.Fail(403, "signature-mismatch");
        }

        /// <summary>
        /// Whether the id can be stored in webhook_id exactly as it is: at most MaxIdLength
        /// characters, each printable ASCII. SqlClient silently cuts a longer value to the
        /// parameter's size, and a VARCHAR column stores a character outside the database's code
        /// page as '?': two different ids could become one row, and the second delivery would be
        /// answered "success" as already processed without ever being credited.
        /// </summary>
        public static bool IdFitsStorage(string id)
        {
            if (id.Length > MaxIdLength) return false;
            foreach (char c in id)
            {
                if (c < '!' || c > '~') return false; // printable ASCII: the same bytes in every code page
            }
            return true;
        }

        /// <summary>
        /// Constant-time comparison: looks at every byte whatever differs first.
        /// (CryptographicOperations.FixedTimeEquals does this on .NET Core only.)
        /// </summary>
        [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.NoOptimization)]
        public static bool FixedTimeEquals(byte[] a, byte[] b)
        {
            if (a == null || b == null || a.Length != b.Length) return false; // lengths are public (32 bytes)
            int difference = 0;
            for (int i = 0; i < a.Length; i++)
            {
                difference |= a[i] ^ b[i];
            }
            return difference == 0;
        }
    }

    /// <summary>Alipay form bodies, parsed the way Alipay signs them.</summary>
    public static class AlipayForm
    {
        /// <summary>
        /// The fields of a verified body, or why there are none: 415 when the body is not a form
        /// (FORWARD_FORMAT=json sends JSON, which this page does not read) or its charset is
        /// unknown, 400 when its bytes are not valid in that charset.
        /// </summary>
        public static WebhookCheck ReadFields(string contentType, byte[] body, out Dictionary<string, string> fields)
        {
            fields = null;
            if (!IsFormContentType(contentType)) return WebhookCheck.Fail(415, "form-format-expected");
            Encoding encoding = EncodingFromContentType(contentType);
            if (encoding == null) return WebhookCheck.Fail(415, "unknown-charset");
            try
            {
                fields = Parse(body, encoding);
            }
            catch (DecoderFallbackException)
            {
                return WebhookCheck.Fail(400, "charset-decode");
            }
            return WebhookCheck.Pass();
        }

        /// <summary>True for "application/x-www-form-urlencoded", with or without parameters such as charset.</summary>
        public static bool IsFormContentType(string contentType)
        {
            if (string.IsNullOrEmpty(contentType)) return false;
            int semicolon = contentType.IndexOf(';');
            string mediaType = (semicolon < 0 ? contentType : contentType.Substring(0, semicolon)).Trim();
            return string.Equals(mediaType, "application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase);
        }

        /// <summary>The charset of "application/x-www-form-urlencoded; charset=gbk"; null when unknown.</summary>
        public static Encoding EncodingFromContentType(string contentType)
        {
            string charset = "utf-8";
            if (!string.IsNullOrEmpty(contentType))
            {
                foreach (string part in contentType.Split(';'))
                {
                    string p = part.Trim();
                    if (p.StartsWith("charset=", StringComparison.OrdinalIgnoreCase))
                        charset = p.Substring("charset=".Length).Trim('"', ' ').ToLowerInvariant();
                }
            }
            // GBK and GB2312 are both code page 936 on Windows (936 is the GBK superset).
            int codePage;
            switch (charset)
            {
                case "utf-8":
                case "utf8":
                    codePage = 65001;
                    break;
                case "gbk":
                case "gb2312":
                    codePage = 936;
                    break;
                case "gb18030":
                    codePage = 54936;
                    break;
                default:
                    return null;
            }
            // Exception fallbacks: a byte sequence that is not valid in the charset is an error,
            // never a silent '?' in an order number.
            return Encoding.GetEncoding(codePage, EncoderFallback.ExceptionFallback, DecoderFallback.ExceptionFallback);
        }

        /// <summary>
        /// Split the BYTES on '&amp;' and the first '=', percent-decode to bytes ('+' is a space),
        /// then decode with the charset. A "%26" inside a value stays inside that value.
        /// </summary>
        public static Dictionary<string, string> Parse(byte[] body, Encoding encoding)
        {
            Dictionary<string, string> fields = new Dictionary<string, string>(StringComparer.Ordinal);
            int start = 0;
            for (int i = 0; i <= body.Length; i++)
            {
                if (i < body.Length && body[i] != (byte)'&') continue;
                if (i > start)
                {
                    int eq = Array.IndexOf(body, (byte)'=', start, i - start);
                    string key = encoding.GetString(PercentDecode(body, start, (eq < 0 ? i : eq) - start));
                    string value = eq < 0 ? "" : encoding.GetString(PercentDecode(body, eq + 1, i - eq - 1));
                    fields[key] = value;
                }
                start = i + 1;
            }
            return fields;
        }

        private static byte[] PercentDecode(byte[] bytes, int offset, int count)
        {
            MemoryStream output = new MemoryStream(count);
            int end = offset + count;
            for (int i = offset; i < end; i++)
            {
                byte b = bytes[i];
                int high, low;
                if (b == (byte)'%' && i + 2 < end &&
                    (high = HexValue(bytes[i + 1])) >= 0 && (low = HexValue(bytes[i + 2])) >= 0)
                {
                    output.WriteByte((byte)(high * 16 + low));
                    i += 2;
                }
                else
                {
                    output.WriteByte(b == (byte)'+' ? (byte)' ' : b);
                }
            }
            return output.ToArray();
        }

        private static int HexValue(byte c)
        {
            if (c >= '0' && c <= '9') return c - '0';
            if (c >= 'a' && c <= 'f') return c - 'a' + 10;
            if (c >= 'A' && c <= 'F') return c - 'A' + 10;
            return -1;
        }

        public static string Get(Dictionary<string, string> fields, string key)
        {
            string value;
            return fields.TryGetValue(key, out value) ? value : "";
        }
    }

    public enum RecordOutcome
    {
        Credited,
        AlreadyProcessed,
        AlreadyPaid,
        RecordedOnly,
        BadAmount,
        MissingOrderNumber,
        UnknownTradeStatus,
        UnknownOrder,
        AmountMismatch,
        NotPayable,
    }

    /// <summary>What a notification means, decided as the gateway decides it (src/alipay/classify.ts).</summary>
    public enum NotificationKind
    {
        /// <summary>The buyer paid: credit the order.</summary>
        Paid,
        /// <summary>Known, nothing to credit (waiting, closed, a refund): store the webhook-id, answer success.</summary>
        RecordOnly,
        /// <summary>No out_trade_no: cannot be judged.</summary>
        MissingOrderNumber,
        /// <summary>An empty or unknown trade_status: cannot be judged.</summary>
        UnknownTradeStatus,
    }

    /// <summary>
    /// The database side. Tables (SQL Server; see README.md for the full script):
    ///   processed_webhooks(webhook_id VARCHAR(64) PRIMARY KEY, out_trade_no, trade_status, received_at)
    ///   orders(out_trade_no UNIQUE, amount DECIMAL(12,2), status 'unpaid'|'paid'|..., paid_at, alipay_trade_no)
    /// </summary>
    public static class OrderStore
    {
        public static RecordOutcome Record(string connectionString, string webhookId, Dictionary<string, string> fields)
        {
            string outTradeNo = AlipayForm.Get(fields, "out_trade_no");
            string tradeStatus = AlipayForm.Get(fields, "trade_status");
            NotificationKind kind = Classify(fields);
            // Not judged, not stored: the gateway retries, then dead-letters it where a person sees it.
            if (kind == NotificationKind.MissingOrderNumber) return RecordOutcome.MissingOrderNumber;
            if (kind == NotificationKind.UnknownTradeStatus) return RecordOutcome.UnknownTradeStatus;
            bool paid = kind == NotificationKind.Paid;
            decimal amount = 0m;
            if (paid && !TryParseAmount(AmountText(fields), out amount)) return RecordOutcome.BadAmount;

            using (SqlConnection connection = new SqlConnection(connectionString))
            {
                connection.Open();
                using (SqlTransaction tx = connection.BeginTransaction(IsolationLevel.ReadCommitted))
                {
                    // The unique key on webhook_id is the idempotency guard: a delivery that was
                    // already processed stops here, whatever the gateway or the network did.
                    try
                    {
                        Execute(connection, tx,
                            "INSERT INTO processed_webhooks (webhook_id, out_trade_no, trade_status, received_at) " +
                            "VALUES (@id, @out_trade_no, @trade_status, GETUTCDATE())",
                            P("@id", SqlDbType.VarChar, StandardWebhook.MaxIdLength, webhookId),
                            P("@out_trade_no", SqlDbType.NVarChar, 64, outTradeNo),
                            P("@trade_status", SqlDbType.VarChar, 32, tradeStatus));
                    }
                    catch (SqlException e)
                    {
                        tx.Rollback();
                        // 2627/2601: unique key violation = this webhook-id was committed before.
                        if (e.Number == 2627 || e.Number == 2601) return RecordOutcome.AlreadyProcessed;
                        throw;
                    }

                    if (!paid)
                    {
                        tx.Commit(); // waiting, closed or a refund (when forwarded): recorded, not credited here
                        return RecordOutcome.RecordedOnly;
                    }

                    // Credit only an unpaid order whose amount matches, in the same transaction.
                    // The UPDATE's own count decides (@@ROWCOUNT right after it): the driver's
                    // rows-affected also counts the rows triggers change, so an audit trigger that
                    // logs even an UPDATE that changed nothing would make a mismatch look credited.
                    int credited = Convert.ToInt32(Scalar(connection, tx,
                        "SET NOCOUNT ON; " +
                        "UPDATE orders SET status = 'paid', paid_at = GETUTCDATE(), alipay_trade_no = @trade_no " +
                        "WHERE out_trade_no = @out_trade_no AND status = 'unpaid' AND amount = @amount; " +
                        "SELECT @@ROWCOUNT;",
                        P("@trade_no", SqlDbType.VarChar, 64, AlipayForm.Get(fields, "trade_no")),
                        P("@out_trade_no", SqlDbType.NVarChar, 64, outTradeNo),
                        Amount("@amount", amount)), CultureInfo.InvariantCulture);
                    if (credited == 1)
                    {
                        tx.Commit();
                        return RecordOutcome.Credited;
                    }

                    RecordOutcome why = WhyNotCredited(connection, tx, outTradeNo, amount);
                    if (why == RecordOutcome.AlreadyPaid) tx.Commit();
                    else tx.Rollback(); // nothing recorded: the retry is evaluated again after a fix
                    return why;
                }
            }
        }

        private static RecordOutcome WhyNotCredited(SqlConnection connection, SqlTransaction tx, string outTradeNo, decimal amount)
        {
            using (SqlCommand command = new SqlCommand("SELECT status, amount FROM orders WHERE out_trade_no = @out_trade_no", connection, tx))
            {
                command.Parameters.Add(P("@out_trade_no", SqlDbType.NVarChar, 64, outTradeNo));
                using (SqlDataReader reader = command.ExecuteReader())
                {
                    if (!reader.Read()) return RecordOutcome.UnknownOrder;
                    string status = reader.GetString(0);
                    decimal expected = reader.GetDecimal(1);
                    if (expected != amount) return RecordOutcome.AmountMismatch;
                    return status == "paid" ? RecordOutcome.AlreadyPaid : RecordOutcome.NotPayable;
                }
            }
        }

        /// <summary>
        /// Decided from the SIGNED body, never from the informational x-alipay-* headers, and the
        /// way the gateway decides it (an empty value counts as absent):
        ///   Paid: TRADE_FINISHED or WAIT_SELLER_SEND_GOODS (legacy escrow: the buyer has paid),
        ///         whatever refund fields they carry (a cumulative refund_fee on TRADE_FINISHED is
        ///         history: the gateway forwards it as the order's paid event), and TRADE_SUCCESS
        ///         without refund fields;
        ///   RecordOnly: WAIT_BUYER_PAY, TRADE_CLOSED, and TRADE_SUCCESS with a refund field;
        ///   anything else cannot be judged here, and must not be answered "success".
        /// </summary>
        public static NotificationKind Classify(Dictionary<string, string> fields)
        {
            if (AlipayForm.Get(fields, "out_trade_no").Length == 0) return NotificationKind.MissingOrderNumber;
            switch (AlipayForm.Get(fields, "trade_status"))
            {
                case "TRADE_FINISHED":
                case "WAIT_SELLER_SEND_GOODS":
                    return NotificationKind.Paid;
                case "TRADE_SUCCESS":
                    return HasRefundField(fields) ? NotificationKind.RecordOnly : NotificationKind.Paid;
                case "WAIT_BUYER_PAY":
                case "TRADE_CLOSED":
                    return NotificationKind.RecordOnly;
                default:
                    return NotificationKind.UnknownTradeStatus;
            }
        }

        /// <summary>True when Classify says Paid: the order is to be credited.</summary>
        public static bool IsPaid(Dictionary<string, string> fields)
        {
            return Classify(fields) == NotificationKind.Paid;
        }

        /// <summary>
        /// A refund is told apart by its refund fields. refund_fee=0.00 appears on plain payments,
        /// so a zero fee does not count; a fee that is not an amount still does.
        /// </summary>
        private static bool HasRefundField(Dictionary<string, string> fields)
        {
            if (AlipayForm.Get(fields, "gmt_refund").Length > 0 || AlipayForm.Get(fields, "out_biz_no").Length > 0) return true;
            string refundFee = AlipayForm.Get(fields, "refund_fee");
            return refundFee.Length > 0 && !IsZeroAmount(refundFee);
        }

        /// <summary>"0", "0.0", "0.00": zero written as Alipay writes amounts (digits, one optional '.').</summary>
        private static bool IsZeroAmount(string text)
        {
            int dot = text.IndexOf('.');
            string whole = dot < 0 ? text : text.Substring(0, dot);
            string fraction = dot < 0 ? "0" : text.Substring(dot + 1);
            return whole.Length > 0 && fraction.Length > 0 && whole.Trim('0').Length == 0 && fraction.Trim('0').Length == 0;
        }

        /// <summary>total_amount (open platform) or total_fee (legacy mapi).</summary>
        private static string AmountText(Dictionary<string, string> fields)
        {
            string amount = AlipayForm.Get(fields, "total_amount");
            return amount.Length > 0 ? amount : AlipayForm.Get(fields, "total_fee");
        }

        /// <summary>Decimal text such as "88.8", "88.80" or "88": no sign, no exponent, at most 2 decimals.</summary>
        public static bool TryParseAmount(string text, out decimal amount)
        {
            amount = 0m;
            if (string.IsNullOrEmpty(text) || text.Length > 20) return false;
            if (!decimal.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out amount)) return false;
            return decimal.Round(amount, 2) == amount;
        }

        private static int Execute(SqlConnection connection, SqlTransaction tx, string sql, params SqlParameter[] parameters)
        {
            using (SqlCommand command = new SqlCommand(sql, connection, tx))
            {
                command.Parameters.AddRange(parameters);
                return command.ExecuteNonQuery();
            }
        }

        private static object Scalar(SqlConnection connection, SqlTransaction tx, string sql, params SqlParameter[] parameters)
        {
            using (SqlCommand command = new SqlCommand(sql, connection, tx))
            {
                command.Parameters.AddRange(parameters);
                return command.ExecuteScalar();
            }
        }

        private static SqlParameter P(string name, SqlDbType type, int size, string value)
        {
            SqlParameter parameter = new SqlParameter(name, type, size);
            parameter.Value = value;
            return parameter;
        }

        private static SqlParameter Amount(string name, decimal value)
        {
            SqlParameter parameter = new SqlParameter(name, SqlDbType.Decimal);
            parameter.Precision = 12;
            parameter.Scale = 2;
            parameter.Value = value;
            return parameter;
        }
    }
}
