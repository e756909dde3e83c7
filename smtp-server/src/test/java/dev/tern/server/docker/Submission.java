package dev.tern.server.docker;

import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.util.Properties;
import javax.net.ssl.SSLContext;
import org.eclipse.angus.mail.smtp.SMTPTransport;

/** A mail client written independently of Tern (Angus Mail) submitting over STARTTLS with AUTH. */
final class Submission {
    private final Session session;
    private final String host;
    private final int port;

    Submission(String host, int port, SSLContext tls) {
        Properties p = new Properties();
        p.put("mail.smtp.localhost", "client.test");
        p.put("mail.smtp.connectiontimeout", "10000");
        p.put("mail.smtp.timeout", "10000");
        p.put("mail.smtp.writetimeout", "10000");
        // RFC 3207: the session upgrades before AUTH, and the certificate must name the host we dialled.
        p.put("mail.smtp.starttls.enable", "true");
        p.put("mail.smtp.starttls.required", "true");
        p.put("mail.smtp.ssl.socketFactory", tls.getSocketFactory());
        p.put("mail.smtp.ssl.checkserveridentity", "true");
        p.put("mail.smtp.auth", "true");
        this.session = Session.getInstance(p);
        this.host = host;
        this.port = port;
    }

    /** Sends one message and returns the server's reply to the end of data. */
    String send(String user, String password, String from, String to, String subject) throws MessagingException {
        MimeMessage message = new MimeMessage(session);
        message.setFrom(new InternetAddress(from));
        message.setRecipient(Message.RecipientType.TO, new InternetAddress(to));
        message.setSubject(subject);
        message.setText("Sent to Tern in a container.\n", "US-ASCII");
        try (SMTPTransport transport = (SMTPTransport) session.getTransport("smtp")) {
            transport.connect(host, port, user, password);
            transport.sendMessage(message, message.getAllRecipients());
            return transport.getLastServerResponse();
        }
    }
}
