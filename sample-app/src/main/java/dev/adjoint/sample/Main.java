package dev.adjoint.sample;

public final class Main {
    public static void main(String[] args) {
        System.out.println("placeholder");
    }
}
