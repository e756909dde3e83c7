package dev.tern.server.it;

import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.net.InetSocketAddress;
import java.util.Properties;
import javax.net.ssl.SSLContext;
import org.eclipse.angus.mail.smtp.SMTPTransport;

/** Sends with Angus Mail (Jakarta Mail), an SMTP client written independently of Tern. */
final class AngusClient {
    private AngusClient() {}

    /** Plain SMTP, no TLS, no AUTH (an MX peer). */
    static Session plain() {
        return Session.getInstance(base());
    }

    /** STARTTLS required, AUTH, the certificate checked against the host name (a submission client). */
    static Session startTls(SSLContext tls) {
        Properties p = base();
        p.put("mail.smtp.starttls.enable", "true");
        p.put("mail.smtp.starttls.required", "true");
        p.put("mail.smtp.ssl.socketFactory", tls.getSocketFactory());
        p.put("mail.smtp.ssl.checkserveridentity", "true");
        p.put("mail.smtp.auth", "true");
        return Session.getInstance(p);
    }

    private static Properties base() {
        Properties p = new Properties();
        p.put("mail.smtp.localhost", "client.test");
        p.put("mail.smtp.connectiontimeout", "10000");
        p.put("mail.smtp.timeout", "10000");
        p.put("mail.smtp.writetimeout", "10000");
        return p;
    }

    static MimeMessage message(Session session, String from, String to, String subject, String body)
            throws MessagingException {
        MimeMessage message = new MimeMessage(session);
        message.setFrom(new InternetAddress(from));
        message.setRecipient(Message.RecipientType.TO, new InternetAddress(to));
        message.setSubject(subject);
        message.setText(body, "US-ASCII");
        return message;
    }

    /** Connects (with credentials when given), sends, and returns the server's last reply. */
    static String send(Session session, InetSocketAddress server, String user, String password, MimeMessage message)
            throws MessagingException {
        try (SMTPTransport transport = (SMTPTransport) session.getTransport("smtp")) {
            transport.connect(TernFixture.HOST, server.getPort(), user, password);
            transport.sendMessage(message, message.getAllRecipients());
            return transport.getLastServerResponse();
        }
    }
}
