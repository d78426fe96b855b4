#!/usr/bin/perl
# Verifies every DKIM-Signature of a message with Mail::DKIM (Debian's libmail-dkim-perl),
# an independent verifier. Usage: dkim_verify.pl MESSAGE RECORDS_JSON
# RECORDS_JSON maps DNS names ("sel._domainkey.example.com") to TXT record text: a stub
# resolver answers from it (Mail::DKIM::DNS::resolver), no network. Prints one JSON list:
# [{"domain": ..., "selector": ..., "algorithm": ..., "result": "pass"|"fail"|..., "detail": ...}].
use strict;
use warnings;
use JSON::PP;
use Mail::DKIM::Verifier;
use Mail::DKIM::DNS;
use Net::DNS;

package StubResolver;
sub new { my ($class, $records) = @_; return bless { records => $records, error => 'NOERROR' }, $class }
sub errorstring { return $_[0]{error} }
sub send {
    my ($self, $name, $type) = @_;
    my $key = lc $name;
    $key =~ s/\.$//;
    my $packet = Net::DNS::Packet->new($name, $type, 'IN');
    $packet->header->qr(1);
    if (defined(my $text = $self->{records}{$key})) {
        my @strings = unpack('(A255)*', $text);
        $packet->push(answer => Net::DNS::RR->new(name => $name, type => 'TXT', txtdata => [@strings]));
        $packet->header->rcode('NOERROR');
    } else {
        $packet->header->rcode('NXDOMAIN');
    }
    return $packet;
}

package main;
my ($message_file, $records_file) = @ARGV;
open(my $records_handle, '<', $records_file) or die "cannot read $records_file: $!";
my $records = decode_json(do { local $/; <$records_handle> });
Mail::DKIM::DNS::resolver(StubResolver->new($records));

open(my $message_handle, '<:raw', $message_file) or die "cannot read $message_file: $!";
my $message = do { local $/; <$message_handle> };
my $verifier = Mail::DKIM::Verifier->new();
$verifier->PRINT($message);
$verifier->CLOSE();
my @results = map {
    { domain => $_->domain // '', selector => $_->selector // '', algorithm => $_->algorithm // '',
      result => $_->result // '', detail => $_->result_detail // '' }
} $verifier->signatures;
print encode_json(\@results), "\n";
